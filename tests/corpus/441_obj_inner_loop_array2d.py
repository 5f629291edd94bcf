# an outer loop calls its inner loop over instances (Array2D indexed by (x, y)): the inner
# loop's attributes are the outer trace's, its objects the outer's entry objects
from array import array
class Array2D:     # column-major, indexed by (x, y)
    def __init__(self, w, h):
        self.height = h
        self.width = w
        self.data = array("d", bytes(8 * w * h))
    def __setitem__(self, pos, value):
        col, row = pos
        self.data[col * self.height + row] = value
    def __getitem__(self, pos):
        col, row = pos
        return self.data[col * self.height + row]
def fill(a):
    for y in range(a.height):
        for x in range(a.width):
            a[x, y] = ((y * a.width + x) * 7 % 23) * 0.125
def blur(a, b):
    for y in range(1, a.height - 1):
        for x in range(1, a.width - 1):
            b[x, y] = 0.25 * (a[x - 1, y] + a[x + 1, y] + a[x, y - 1] + a[x, y + 1])
def total(b):
    s = 0.0
    for x in range(b.width):     # down the columns, weighted
        for y in range(b.height):
            s += b[x, y] * (1 + (x ^ y) % 3)
    return round(s, 9)
a = Array2D(30, 20)
b = Array2D(30, 20)
fill(a)
blur(a, b)
print(total(b))
blur(a, a)          # aliased: the in-place version reads what it wrote
print(total(a))
c = Array2D(12, 40)  # another size: the same code, other attributes
fill(c)
blur(c, Array2D(12, 40))
print(total(c))
