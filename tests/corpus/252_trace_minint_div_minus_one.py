# -2**63 // -1 and % -1 leave 64 bits: the result must be a big int
def f(n):
    m = -2**63
    d = 5
    out = 0
    r = 0
    for i in range(n):
        d -= 1
        if d == -1:
            out = m // d
            r = m % d
        if d < -3:
            d = 5
    return out, r

print(f(1000))
