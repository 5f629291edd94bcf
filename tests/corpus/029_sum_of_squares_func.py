# function with a hot arithmetic loop and a return value
def sumsq(n):
    s = 0
    for i in range(n):
        s += i * i
    return s

for n in (0, 1, 10, 500, 5000):
    print(n, sumsq(n))
