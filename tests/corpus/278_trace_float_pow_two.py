# float ** 2 for small and moderate values
def f(n):
    s = 0.0
    for i in range(n):
        x = i * 0.25 - 3.0
        s += x ** 2
    return s

print(f(10), f(1000))
