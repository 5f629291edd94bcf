# a user __add__ with a side effect is called on every iteration
class C:
    def __init__(self):
        self.n = 0
    def __add__(self, other):
        self.n += 1
        return self

c = C()
d = C()
k = 0
for i in range(1000):
    c + d
    k += 1
print(c.n, k)
