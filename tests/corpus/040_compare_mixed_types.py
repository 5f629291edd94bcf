# ordering comparisons between unrelated types raise TypeError
pairs = [(1, 2.5), (True, 0), ("a", "b"), (None, None), (1, "x")]
for a, b in pairs:
    print(a == b, a != b)
    print(a < b)
