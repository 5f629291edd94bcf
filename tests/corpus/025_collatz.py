# Collatz sequence lengths with // and %
best = 0
best_n = 0
for n in range(1, 300):
    k = n
    steps = 0
    while k != 1:
        if k % 2 == 0:
            k = k // 2
        else:
            k = 3 * k + 1
        steps += 1
    if steps > best:
        best, best_n = steps, n
print(best, best_n)
