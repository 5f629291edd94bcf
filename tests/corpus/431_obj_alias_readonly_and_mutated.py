# one object seen as a read-only local and as a mutated global: writes must be seen by both
class Cell:
    def __init__(self, v):
        self.v = v

shared = Cell(1)

def bump():
    shared.v += 1

def run(c, n):
    t = 0
    for i in range(n):
        t += c.v
        bump()
    return t

print(run(Cell(5), 300), shared.v)
print(run(shared, 300), shared.v)
print(run(Cell(7), 300), run(shared, 10), shared.v)
