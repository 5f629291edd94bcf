# x * 0.0 and x * -0.0 have different signs: they are not the same expression
def f(n):
    pos = 1.0
    neg = 1.0
    x = -1.5
    for i in range(n):
        pos = x * 0.0
        neg = x * -0.0
    return pos, neg

print(f(1000))
