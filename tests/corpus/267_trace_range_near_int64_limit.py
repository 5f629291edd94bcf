# ranges whose values approach 2**63 exactly
def f():
    n = 0
    last = 0
    for i in range(2**63 - 600, 2**63 - 1):
        n += 1
        last = i
    m = 0
    for i in range(-2**63 + 500, -2**63, -1):
        m += 1
    return n, last, m

print(f())
