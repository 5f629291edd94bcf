# rich comparisons inlined; __eq__ returning NotImplemented falls back to identity
class Key:
    def __init__(self, k):
        self.k = k
    def __lt__(self, o):
        return self.k < o.k
    def __eq__(self, o):
        if self.k > 250:
            return NotImplemented
        return self.k == o.k

def count(n, ref):
    lt = eq = 0
    for i in range(n):
        a = Key(i % 50)
        if a < ref:
            lt += 1
        if ref == ref:
            eq += 1
    return lt, eq

print(count(400, Key(20)), count(300, Key(300)))
