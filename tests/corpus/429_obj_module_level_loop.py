# a module-level loop with instances in globals: temporaries and an accumulator object
class Acc:
    def __init__(self):
        self.s = 0
        self.sq = 0.0
    def add(self, v):
        self.s += v
        self.sq += v * v

class Pair:
    def __init__(self, a, b):
        self.a = a
        self.b = b

acc = Acc()
for i in range(600):
    p = Pair(i, i % 7)
    acc.add(p.a - p.b)
print(acc.s, acc.sq, p.a, p.b)
