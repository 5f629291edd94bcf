# instances of a class with __slots__ stay with the interpreter and give the same results
class P:
    __slots__ = ("x", "y")
    def __init__(self, x, y):
        self.x = x
        self.y = y
    def s(self):
        return self.x + self.y

def f(n):
    p = P(1, 2)
    t = 0
    for i in range(n):
        p.x = i
        t += p.s() + P(i, 1).s()
    return t, p.x, p.y

print(f(400))
