# a nested function with nonlocal writes its enclosing variable in a loop
def counter():
    n = 0
    def inc(k):
        nonlocal n
        for i in range(k):
            n += 1
        return n
    inc(5)
    inc(300)
    return n

print(counter())
