# inherited and overridden methods, super-class __init__ reached through the MRO
class Base:
    def __init__(self, v):
        self.v = v
    def get(self):
        return self.v
    def twice(self):
        return 2 * self.get()

class Child(Base):
    def get(self):
        return self.v + 100

def run(objs, n):
    t = 0
    for i in range(n):
        t += objs.twice() + Child(i).twice() + Base(i).twice()
    return t

print(run(Base(1), 300), run(Child(1), 300))
b = Base(3)
print(run(b, 300))
b.__class__ = Child
print(run(b, 300))
