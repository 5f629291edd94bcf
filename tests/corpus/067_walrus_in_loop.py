# assignment expressions inside loop bodies and while tests
data = [3, 8, 1, 9, 4, 7]
out = []
i = 0
while (n := len(data) - i) > 0:
    if (v := data[i] * 2) > 10:
        out.append((n, v))
    i += 1
print(out, n, v)
