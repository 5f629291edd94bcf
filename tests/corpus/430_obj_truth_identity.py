# truth of instances (with and without __len__) and identity tests on virtuals
class Plain:
    def __init__(self, v):
        self.v = v

class Sized:
    def __init__(self, v):
        self.v = v
    def __len__(self):
        return self.v % 3

def count(n, ref):
    t = 0
    for i in range(n):
        p = Plain(i)
        if p and p is not ref and p is not None:
            t += 1
        if Sized(i):
            t += 10
    return t

print(count(300, Plain(0)))
