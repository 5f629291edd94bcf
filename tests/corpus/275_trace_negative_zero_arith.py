# signed zeros and nan through traced float arithmetic
def f(n):
    x = -1.5
    a = b = c = d = 1.0
    for i in range(n):
        a = x * 0.0
        b = -a
        c = a + 0.0
        d = a - 0.0
    return a, b, c, d

print(f(1), f(500))
