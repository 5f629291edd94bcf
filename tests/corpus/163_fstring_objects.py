# f-strings call __format__, __str__ and __repr__ of user objects
class T:
    def __init__(self, n):
        self.n = n
    def __format__(self, spec):
        return f"T<{self.n}:{spec}>"
    def __str__(self):
        return f"T{self.n}"
    def __repr__(self):
        return f"T({self.n})"

out = []
for i in range(3):
    t = T(i)
    out.append(f"{t} {t:abc} {t!s} {t!r} {t!s:>5}")
print(out)
