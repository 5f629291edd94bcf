# ints beyond 2**53 mixed with floats: conversions must round like CPython
def f(n):
    big = 2**53 - 5
    out = 0.0
    eq = 0
    for i in range(n):
        big += 1
        out = big + 0.5
        if big == float(big):
            eq += 1
    return big, out, eq

print(f(3), f(400))
