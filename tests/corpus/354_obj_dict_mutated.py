# another function mutates the instance __dict__ between runs of the compiled loop
class State:
    def __init__(self):
        self.a = 1
        self.b = 2

def poke(s, k):
    s.__dict__["a"] = k
    vars(s)["b"] = k * 0.5
    s.__dict__["c"] = "new"

def step(s, n):
    for i in range(n):
        s.a = s.a + i % 3
        s.b = s.b * 1
    return s.a, s.b

s = State()
print(step(s, 300))
poke(s, 7)
print(step(s, 300), vars(s))
poke(s, 2 ** 70)
print(step(s, 300))
