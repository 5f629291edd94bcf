# while inside for inside while, with breaks and continues
out = []
i = 0
while i < 6:
    i += 1
    for j in range(i):
        if j == 3:
            break
        k = j
        while k < i:
            k += 2
            if k == 4:
                continue
            out.append((i, j, k))
print(len(out), out[-4:])
