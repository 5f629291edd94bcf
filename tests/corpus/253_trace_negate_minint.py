# unary minus and abs of -2**63 in traced code
def f(n):
    x = -2**63 + n
    y = 0
    z = 0
    for i in range(n + 1):
        y = -x
        z = abs(x)
        x -= 1
    return x, y, z

print(f(300), f(0))
