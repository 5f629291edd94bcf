# methods called with keyword arguments and defaults
class Fmt:
    def __init__(self, width=6, fill="."):
        self.width = width
        self.fill = fill
    def pad(self, s, right=False, fill=None):
        f = fill or self.fill
        s = str(s)
        n = self.width - len(s)
        return s + f * n if right else f * n + s

f = Fmt(width=5)
out = []
for i in range(5):
    out.append(f.pad(i * 37, right=i % 2 == 1))
    out.append(f.pad(i, fill="0"))
print(out)
