# a Fix16-style fixed-point class: Newton square roots with operator dunders
class Fix16:
    def __init__(self, raw):
        self.raw = raw
    def __add__(self, o):
        return Fix16(self.raw + o.raw)
    def __truediv__(self, o):
        return Fix16((self.raw << 16) // o.raw)
    def half(self):
        return Fix16(self.raw >> 1)

def sqrt(v, iters):
    x = Fix16(v << 16)
    g = x.half()
    for i in range(iters):
        g = (g + x / g).half()
    return g.raw

print([sqrt(v, 20) for v in (2, 10, 12345)], sqrt(3, 300))
