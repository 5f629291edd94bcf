# method resolution through inheritance inside loops
class Shape:
    def area(self):
        return 0
    def describe(self):
        return f"{type(self).__name__}:{self.area()}"

class Sq(Shape):
    def __init__(self, s):
        self.s = s
    def area(self):
        return self.s * self.s

class Rect(Sq):
    def __init__(self, w, h):
        super().__init__(w)
        self.h = h
    def area(self):
        return self.s * self.h

out = []
for i in range(4):
    for shape in (Shape(), Sq(i), Rect(i, 2)):
        out.append(shape.describe())
print(out)
