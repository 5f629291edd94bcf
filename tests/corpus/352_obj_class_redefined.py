# the class is redefined between runs: methods and layout come from the new class
class Shape:
    def __init__(self, s):
        self.s = s
    def area(self):
        return self.s * self.s

def total(n):
    t = 0
    for i in range(n):
        t += Shape(i).area()
    return t

print(total(400))

class Shape:
    def __init__(self, s):
        self.s = s + 1
    def area(self):
        return 3 * self.s

print(total(400))
Shape.area = lambda self: -self.s
print(total(400))
