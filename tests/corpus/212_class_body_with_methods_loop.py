# a class body that computes attributes with a loop and a method that loops
class Poly:
    coeffs = []
    for k in range(5):
        coeffs.append(k * k - 3)
    def __call__(self, x):
        r = 0
        for c in reversed(self.coeffs):
            r = r * x + c
        return r

p = Poly()
print(Poly.coeffs, [p(x) for x in range(-3, 4)], p(1.5))
