# properties with getters and setters used from loops
class Temp:
    def __init__(self):
        self._c = 0.0
    @property
    def f(self):
        return self._c * 9 / 5 + 32
    @f.setter
    def f(self, value):
        self._c = (value - 32) * 5 / 9

t = Temp()
out = []
for deg in range(-40, 220, 40):
    t.f = deg
    out.append((round(t._c, 3), t.f))
print(out)
