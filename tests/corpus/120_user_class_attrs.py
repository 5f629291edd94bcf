# attribute get and set on instances in a hot loop
class Point:
    def __init__(self, x, y):
        self.x = x
        self.y = y

p = Point(0, 0)
for i in range(500):
    p.x += i
    p.y = p.y - i % 7
    p.z = p.x + p.y
print(p.x, p.y, p.z, sorted(vars(p)))
