# a range that lies beyond 64 bits (jitnb must not trace it wrongly)
def f():
    s = 0
    for i in range(2**63 - 250, 2**63 + 250):
        s += i - 2**63
    return s

print(f())
