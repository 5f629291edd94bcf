# inner loops that read and write attributes the outer loop also holds: the values pass
# into the inner loop's code and come back from its exit
class Counter:
    def __init__(self):
        self.n = 0
        self.total = 0.0
        self.scale = 0.5
class Grid:
    def __init__(self, rows, cols):
        self.rows = rows
        self.cols = cols
        self.stats = Counter()
def walk(g, rounds):
    st = g.stats
    for r in range(rounds):
        st.n += 1                    # the outer loop's write
        for c in range(g.cols):
            st.total += st.scale * (c + r)
            st.n += 2
            if c == 17 and r % 5 == 0:
                st.scale = st.scale + 0.25   # the inner loop's write, now and then
        g.rows = g.rows + st.n % 3
    return st.n, st.total, st.scale, g.rows
print(walk(Grid(3, 30), 40))
print(walk(Grid(5, 7), 25))
g = Grid(1, 20)
print(walk(g, 30), walk(g, 10))     # the same objects again: their state carries on
