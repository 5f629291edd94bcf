# left and right shifts including past 63 bits and negative values
out = []
x = 1
for i in range(0, 140, 7):
    out.append((x << i, (x << i) >> 3, -(x << i) >> 5))
print(out)
print(-1 >> 100, 5 >> 1, -5 >> 1, 1 << 0, 255 >> 8)
