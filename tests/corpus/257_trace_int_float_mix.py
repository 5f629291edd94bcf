# ints mixed with floats in traced arithmetic and comparisons
def f(n):
    s = 0.0
    count = 0
    for i in range(n):
        s = s + i * 0.5 - i / 4
        if i > s:
            count += 1
        if i == 2.0 * 100:
            count += 1000
    return s, count

print(f(10), f(1000))
