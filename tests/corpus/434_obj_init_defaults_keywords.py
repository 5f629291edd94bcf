# constructors and methods called with defaults and keyword arguments
class Particle:
    def __init__(self, x, v=1.0, m=2):
        self.x = x
        self.v = v
        self.m = m

    def energy(self, scale=0.5):
        return scale * self.m * self.v * self.v + self.x

def run(n):
    e = 0.0
    for i in range(n):
        a = Particle(i)
        b = Particle(i, v=0.5 * i)
        c = Particle(x=1, m=i % 3)
        e += a.energy() + b.energy(scale=0.25) + c.energy(1)
    return e

print(run(10), run(500))
