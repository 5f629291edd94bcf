# the outer loop changes which objects its inner loop works on: swapped buffers (ping-pong),
# objects reached through attributes, and an object of another class half-way through
from array import array
class Buf:
    def __init__(self, n, v):
        self.n = n
        self.data = array("d", [v]) * n
class Pair:
    def __init__(self, n):
        self.src = Buf(n, 1.0)
        self.dst = Buf(n, 0.0)
def smooth(p, steps):
    for s in range(steps):
        src, dst = p.src, p.dst
        for i in range(1, src.n - 1):
            dst.data[i] = (src.data[i - 1] + src.data[i] * 2.0 + src.data[i + 1]) * 0.25 + s
        p.src, p.dst = dst, src
    return sum(p.src.data), sum(p.dst.data)
print(smooth(Pair(50), 30))
class Other:
    def __init__(self, n):
        self.n = n
        self.data = array("d", [2.0]) * n
def mixed(objs):
    t = 0.0
    for o in objs:
        for i in range(o.n):
            t += o.data[i] * o.n
    return t
bs = [Buf(20, float(k)) for k in range(30)]
print(mixed(bs))
bs[17] = Other(9)
print(mixed(bs))
