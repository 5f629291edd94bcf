# __getitem__ and __setitem__ of a user class inlined into the loop
class Grid:
    def __init__(self):
        self.a = 0
        self.b = 0.0
    def __getitem__(self, i):
        return self.a if i == 0 else self.b
    def __setitem__(self, i, v):
        if i == 0:
            self.a = v
        else:
            self.b = v

def fill(g, n):
    for i in range(n):
        g[i % 2] = g[i % 2] + i
    return g[0], g[1]

g = Grid()
print(fill(g, 400), vars(g))
