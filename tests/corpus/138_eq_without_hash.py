# classes with __eq__ only are unhashable
class K:
    def __init__(self, v):
        self.v = v
    def __eq__(self, o):
        return self.v == o.v

d = {}
keys = [1, "a", (2, 3), K(1)]
for k in keys:
    d[k] = len(d)
    print(d)
