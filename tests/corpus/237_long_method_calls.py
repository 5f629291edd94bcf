# 20_000 method calls from a hot loop
class Acc:
    def __init__(self):
        self.total = 0
    def add(self, v):
        self.total += v

a = Acc()
for i in range(20_000):
    a.add(i % 11)
print(a.total)
