# sequence comparisons are elementwise
out = []
for a in ([1, 2], [1, 2, 3], [2], []):
    for b in ([1, 2], [1, 3], []):
        out.append((a < b, a == b, tuple(a) >= tuple(b)))
print(out)
