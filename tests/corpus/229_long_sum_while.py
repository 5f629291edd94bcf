# 200_000 iterations of a while loop at module level
i = 0
s = 0
while i < 200_000:
    s += i & 255
    i += 1
print(i, s)
