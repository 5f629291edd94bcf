# a method rebound on the instance (a plain function in its __dict__) between runs
class Acc:
    def __init__(self):
        self.t = 0
    def add(self, v):
        self.t += v

def feed(a, n):
    for i in range(n):
        a.add(i % 5)
    return a.t

def other(v):
    print("other", v) if v == 4 else None

a = Acc()
print(feed(a, 300))
a.add = other
print(feed(a, 10))
del a.add
print(feed(a, 300))
