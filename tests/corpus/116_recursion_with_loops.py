# a recursive function whose body contains a hot loop
def partitions(n, maxpart):
    if n == 0:
        return 1
    total = 0
    for k in range(min(n, maxpart), 0, -1):
        total += partitions(n - k, k)
    return total

print([partitions(n, n) for n in range(1, 20)])
