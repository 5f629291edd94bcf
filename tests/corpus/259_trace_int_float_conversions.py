# int() and float() conversions inside traced loops
def f(n):
    t = 0
    u = 0.0
    for i in range(-n, n):
        x = i * 0.37
        t += int(x)
        u += float(i) + float(t > 0)
    return t, u

print(f(5), f(500))
