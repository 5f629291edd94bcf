# tuple and list unpacking, nested and swapped
a, b = 1, 2
out = []
for i in range(5):
    a, b = b, a + b
    (c, d), e = (a, b), i
    [f, g] = [e, c]
    out.append((a, b, c, d, e, f, g))
print(out)
