# left shifts that overflow 64 bits and right shifts by large counts
def shifts(n):
    acc = 0
    hi = 0
    for i in range(n):
        k = i % 80
        hi = 3 << k
        acc ^= hi >> (k // 2)
        acc += (-hi) >> (k + 60)
    return acc, hi

print(shifts(500))
