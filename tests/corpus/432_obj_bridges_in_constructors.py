# guards inside inlined __init__ and __add__ fail often: bridges start inside those calls
class V:
    def __init__(self, x, y):
        self.x = x
        if x % 3 == 0:
            self.y = y * 2
        else:
            self.y = y
    def __add__(self, o):
        if o.x > 100:
            return V(self.x - o.x, self.y)
        return V(self.x + o.x, self.y + o.y)

def f(n):
    acc = 0
    for i in range(n):
        a = V(i, 1.5) + V(i % 200, i)
        acc += a.x + a.y
        a = None
    return acc

print(f(10), f(3000), f(5000))
