# bools computed in a traced loop keep their type
def flags(n):
    a = True
    b = False
    c = 0
    for i in range(n):
        a = not a
        b = b ^ (i % 3 == 0)
        c += a + b
        d = a & b
        e = a | (i > 5)
    return a, b, c, d, e, type(d).__name__, type(c).__name__

print(flags(0 + 1), flags(301), flags(1000))
