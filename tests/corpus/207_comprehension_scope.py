# comprehension variables do not leak; the outer loop variable is visible inside
i = "outer"
out = []
for k in range(3):
    out.append([i * k for i in range(3)])
    out.append([k for _ in range(2)])
print(out, i, k)
