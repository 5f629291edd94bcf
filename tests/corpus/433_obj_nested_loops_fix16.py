# nested loops over instances: the outer trace calls the inner loop's code with virtual fields
class Fix16:
    def __init__(self, raw):
        self.raw = raw
    def __add__(self, other):
        return Fix16(self.raw + other.raw)
    def __truediv__(self, other):
        return Fix16((self.raw << 16) // other.raw)
    def half(self):
        return Fix16(self.raw >> 1)

def kernel(n, steps):
    s = 0
    for i in range(1, n):
        y = Fix16(i << 16)
        x = Fix16((i << 15) + 65536)
        k = steps if i % 50 else 0
        while k > 0:
            k -= 1
            x = (x + y / x).half()
        s += x.raw
    return s

print(kernel(300, 30), kernel(400, 5), kernel(2, 3))
