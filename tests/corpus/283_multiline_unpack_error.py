# unpacking a value written on the next line fails
rows = [(1, 2, 3), (1, 2)]
s = 0
for i in range(len(rows)):
    a, b = (
        rows[i])
    s += a * b
print(s)
