# two names for one object: attribute writes through either name are seen by both
class Counter:
    def __init__(self):
        self.n = 0
        self.total = 0.0

def run(a, b, k):
    for i in range(k):
        a.n += 1
        b.total += a.n * 0.5
        if b.n % 97 == 0:
            a.total -= 1.0
    return a.n, b.total

c = Counter()
print(run(c, c, 500), c.n, c.total)
d, e = Counter(), Counter()
print(run(d, e, 500), d.n, d.total, e.n, e.total)
print(run(c, c, 300), c.n, vars(c))
