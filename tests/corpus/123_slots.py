# __slots__ classes: attribute writes and a failing write
class P:
    __slots__ = ("x", "y")
    def __init__(self):
        self.x = 0
        self.y = 0

p = P()
for i in range(10):
    p.x += i
    p.y -= i
    if i == 8:
        p.z = 1
print(p.x, p.y)
