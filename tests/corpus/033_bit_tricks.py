# bit counting loops
def popcount(n):
    c = 0
    while n:
        n &= n - 1
        c += 1
    return c

print([popcount(i) for i in range(20)])
print(popcount(2**100 - 1), popcount(0xdeadbeef))
t = 0
for i in range(1000):
    t ^= (i * 2654435761) & 0xFFFFFFFF
print(t)
