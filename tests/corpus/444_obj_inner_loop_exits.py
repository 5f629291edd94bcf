# an inner loop over an object that leaves by exits the outer trace has not seen (break,
# a branch, an exception): its work happens once and the objects hold its last values
class Acc:
    def __init__(self):
        self.hits = 0
        self.last = -1
        self.limit = 10**6
def scan(acc, rows, cols):
    out = []
    for r in range(rows):
        for c in range(cols):
            v = (r * 31 + c * 17) % 97
            if v > 90:
                acc.hits += 1
                acc.last = v
            if acc.hits > acc.limit:
                break
        out.append(acc.hits)
    return out[-5:], acc.hits, acc.last
a = Acc()
print(scan(a, 60, 50))
a.limit = 40
print(scan(a, 60, 50))
b = Acc()
b.limit = 0
print(scan(b, 30, 30))
def boom(acc, rows):
    for r in range(rows):
        for c in range(40):
            acc.hits += 1
            if acc.hits == 1234:
                raise ValueError(acc.hits, r, c)
try:
    boom(Acc(), 100)
except ValueError as e:
    print("raised", e.args)
