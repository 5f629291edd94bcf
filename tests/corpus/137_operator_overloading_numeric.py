# a fraction-like class with arithmetic dunders
class Frac:
    def __init__(self, n, d=1):
        g = self.gcd(abs(n), abs(d))
        self.n, self.d = n // g, d // g
    @staticmethod
    def gcd(a, b):
        while b:
            a, b = b, a % b
        return a or 1
    def __add__(self, o):
        return Frac(self.n * o.d + o.n * self.d, self.d * o.d)
    def __mul__(self, o):
        return Frac(self.n * o.n, self.d * o.d)
    def __repr__(self):
        return f"{self.n}/{self.d}"

s = Frac(0)
for k in range(1, 30):
    s = s + Frac(1, k * (k + 1))
print(s, s * Frac(3, 2))
