# unpacking with too many values raises ValueError
rows = [(1, 2), (3, 4), (5, 6, 7)]
total = 0
for row in rows:
    x, y = row
    total += x * y
    print(total)
