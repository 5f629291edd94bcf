# building and scanning a 30_000 element list
xs = []
for i in range(30_000):
    xs.append((i * 7919) % 30_011)
best = -1
where = -1
for i in range(len(xs)):
    if xs[i] > best:
        best = xs[i]
        where = i
print(best, where, len(xs))
