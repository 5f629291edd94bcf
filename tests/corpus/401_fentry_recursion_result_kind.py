# a recursive function whose result is an int at the leaves and a float above
def walk(n):
    if n < 3:
        return n
    if n % 4 == 0:
        return walk(n - 1) / 2
    return walk(n - 1) + walk(n - 3)


print([walk(n) for n in range(22)][-6:])
print(sum(walk(n % 9) for n in range(500)), [walk(n) for n in range(23, 0, -7)])
