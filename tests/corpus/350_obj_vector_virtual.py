# virtual Vector instances: made, added and scaled in a loop, never allocated by the trace
class Vector:
    def __init__(self, x, y):
        self.x = x
        self.y = y
    def __add__(self, other):
        return Vector(self.x + other.x, self.y + other.y)
    def __mul__(self, k):
        return Vector(self.x * k, self.y * k)
    def dot(self, other):
        return self.x * other.x + self.y * other.y

def energy(n):
    e = 0.0
    for i in range(n):
        v = Vector(i * 0.5, 1.0 - i) + Vector(1.0, 2.0) * 0.25
        e += v.dot(v)
        v = None
    return e

print(energy(10), energy(1000))
