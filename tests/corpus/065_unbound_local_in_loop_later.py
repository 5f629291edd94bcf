# a local read in the loop before any assignment in the same function
def f():
    total = 0
    for i in range(4):
        total += i
        total += extra
    extra = 1
    return total

f()
