# __getitem__ / __setitem__ / __len__ on a user container
class Ring:
    def __init__(self, n):
        self.data = [0] * n
    def __len__(self):
        return len(self.data)
    def __getitem__(self, i):
        return self.data[i % len(self.data)]
    def __setitem__(self, i, v):
        self.data[i % len(self.data)] = v

r = Ring(7)
for i in range(300):
    r[i] = r[i - 1] + i
print(r.data, len(r), r[1000])
