# a loop reads a free variable that a sibling closure rebinds with nonlocal
def make():
    count = 0
    def inc():
        nonlocal count
        count += 1
    def total(n):
        s = 0
        for i in range(n):
            inc()
            s += count
        return s
    return total

print(make()(400))
