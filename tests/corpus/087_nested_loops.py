# a triangle of nested loops
rows = []
for i in range(1, 8):
    row = []
    for j in range(1, i + 1):
        row.append(i * j)
    rows.append(row)
print(rows[-1], sum(len(r) for r in rows))
