# constant tuples and closure lists: indexed, iterated, unpacked, measured
def make():
    table = [0.5, 1.5, 2.5, 3.5]
    def f(n):
        s = 0.0
        for i in range(n):
            a, b = 2, 3.0
            s += table[i % 4] * (1.0, 2.0, 4.0)[i % 3] + len(table) + a * b
            for c in (1, 2):
                s += c
        return s
    return f
print(make()(100))
