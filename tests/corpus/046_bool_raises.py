# a __bool__ that raises inside an if test
class Bad:
    def __init__(self, n):
        self.n = n
    def __bool__(self):
        if self.n == 3:
            raise ValueError("no truth for 3")
        return self.n % 2 == 0

for i in range(6):
    if Bad(i):
        print(i, "even")
