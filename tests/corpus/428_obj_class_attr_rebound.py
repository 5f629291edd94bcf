# a class attribute used as a constant by the trace, rebound between runs
class Cfg:
    scale = 3
    def __init__(self, v):
        self.v = v
    def scaled(self):
        return self.v * self.scale

def run(n):
    t = 0
    for i in range(n):
        t += Cfg(i).scaled()
    return t

print(run(300))
Cfg.scale = 2.5
print(run(300))
c = Cfg(1)
c.scale = 10
print(c.scaled(), run(300))
