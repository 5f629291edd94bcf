# callable objects and __contains__
class Mul:
    def __init__(self, k):
        self.k = k
    def __call__(self, x):
        return x * self.k

class Evens:
    def __contains__(self, x):
        return x % 2 == 0

m = Mul(3)
ev = Evens()
out = []
for i in range(10):
    if i in ev:
        out.append(m(i))
print(out)
