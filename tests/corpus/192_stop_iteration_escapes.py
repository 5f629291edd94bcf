# next() on an exhausted iterator inside the loop body
it = iter([1, 2, 3])
pairs = []
for i in range(5):
    pairs.append((i, next(it)))
    print(pairs)
