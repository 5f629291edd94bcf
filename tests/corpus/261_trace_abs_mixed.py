# abs of negative and positive ints and floats in a traced loop
def f(n):
    s = 0
    t = 0.0
    for i in range(n):
        s += abs(i - n // 2)
        t += abs(0.25 - i)
    return s, t

print(f(1), f(10), f(1001))
