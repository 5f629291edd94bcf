# a property (a data descriptor) and a property added to the class later
class Temp:
    def __init__(self, c):
        self.c = c
    @property
    def f(self):
        return self.c * 9 / 5 + 32

def warm(t, n):
    s = 0.0
    for i in range(n):
        t.c = t.c + 1
        s += t.f
    return s

def plain(t, n):
    s = 0
    for i in range(n):
        s += t.c
    return s

t = Temp(0)
print(warm(t, 300), plain(t, 300))
Temp.c = property(lambda self: 5)
print(plain(t, 300))
