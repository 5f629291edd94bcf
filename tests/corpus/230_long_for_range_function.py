# 100_000 iterations in a function: crosses the threshold hundreds of times
def run(n):
    acc = 0
    x = 1
    for i in range(n):
        x = (x * 1103515245 + 12345) % 2147483648
        acc ^= x >> 7
    return acc, x

print(run(100_000))
