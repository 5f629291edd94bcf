# int() of floats beyond 64 bits and of inf
def f(n):
    x = 1e15
    r = 0
    for i in range(n):
        x = x * 1.5
        r = int(x)
    return r

print(f(20), f(200))
print(f(2000))
