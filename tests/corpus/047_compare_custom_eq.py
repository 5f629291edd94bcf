# user __eq__ and __lt__ driving comparisons
class V:
    def __init__(self, x):
        self.x = x
    def __eq__(self, other):
        return isinstance(other, V) and self.x == other.x
    def __lt__(self, other):
        return self.x < other.x

vs = [V(3), V(1), V(3), V(2)]
eq = 0
lt = 0
for a in vs:
    for b in vs:
        eq += a == b
        lt += a < b
print(eq, lt, V(1) != V(1), V(1) > V(0))
