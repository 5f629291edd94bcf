# slicing with all combinations of bounds and steps
xs = list(range(10))
out = []
for a in (None, 2, -3):
    for b in (None, 7, -1):
        for s in (None, 2, -1):
            out.append(xs[a:b:s])
print(out)
print("hello world"[::-1], "hello"[1:-1], (1, 2, 3, 4)[::2])
