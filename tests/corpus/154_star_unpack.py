# starred assignment targets (outside the subset)
out = []
for seq in ([1, 2, 3, 4], "hello", (9, 8)):
    first, *mid, last = seq
    out.append((first, mid, last))
print(out)
a, *b = range(3)
print(a, b)
