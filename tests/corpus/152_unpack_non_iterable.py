# unpacking a non-iterable raises TypeError
data = [(1, 2), [3, 4], 5]
s = 0
for d in data:
    p, q = d
    s += p - q
    print(s)
