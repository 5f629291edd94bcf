# __add__, __radd__, __eq__ and __hash__ on a vector class
class Vec:
    def __init__(self, *c):
        self.c = c
    def __add__(self, o):
        return Vec(*[a + b for a, b in zip(self.c, o.c)])
    def __radd__(self, o):
        return self if o == 0 else NotImplemented
    def __eq__(self, o):
        return isinstance(o, Vec) and self.c == o.c
    def __hash__(self):
        return hash(self.c)
    def __repr__(self):
        return f"Vec{self.c}"

acc = Vec(0, 0)
for i in range(200):
    acc = acc + Vec(i, -i)
print(acc, acc == Vec(19900, -19900), sum([Vec(1, 2), Vec(3, 4)]), len({Vec(1), Vec(1)}))
