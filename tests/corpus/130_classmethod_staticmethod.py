# classmethods and staticmethods called in a loop
class Counter:
    count = 0
    @classmethod
    def incr(cls, k):
        cls.count += k
        return cls.count
    @staticmethod
    def double(x):
        return 2 * x

out = []
for i in range(6):
    out.append(Counter.incr(Counter.double(i)))
print(out, Counter.count)
