# tuples that exist before the loop: indexing, len, iteration, and an IndexError
def weights(coef, n):
    acc = 0.0
    for i in range(n):
        acc += coef[i % len(coef)] * coef[-1]
    return acc
c = (0.5, 1.5, 2.0, -1.0)
print(weights(c, 100), weights((1, 2), 50))
total = 0
for x in c:
    total += x
print(total)
print(weights((1.0, 2.0, 3.0)[:0] or (1.0,), 10))
try:
    for k in range(40):
        total += c[k]
except IndexError as e:
    print("IndexError", e, total)
