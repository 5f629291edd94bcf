# regressions found in review: a loop over objects in an inlined function, and a
# class attribute shadowed by an instance attribute after warm-up
class Acc:
    def __init__(self):
        self.t = 0
def add(acc, n):
    for i in range(n):
        acc.t += i
def main(other, acc, m):
    for j in range(m):
        add(acc, j)
    return other.t, acc.t
a = Acc(); b = Acc()
r = main(a, b, 100)
print(r, a.t, b.t)
class P4:
    k = 2
    def __init__(self, x):
        self.x = x
def main4(p, m):
    t = 0
    for j in range(m):
        for i in range(10):
            t += p.x * p.k
        p.x += 1
    return t
r1 = [main4(P4(1), 40) for _ in range(20)]
q = P4(1)
q.k = 10
r2 = main4(q, 40)
print(r1[-1], r2)
