# a user iterator class drives the loop
class Countdown:
    def __init__(self, n):
        self.n = n
    def __iter__(self):
        return self
    def __next__(self):
        if self.n <= 0:
            raise StopIteration
        self.n -= 1
        return self.n

out = []
for v in Countdown(300):
    if v % 50 == 0:
        out.append(v)
print(out)
