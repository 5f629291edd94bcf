# is / is not / in / not in
items = [1, "two", None, 3.0]
out = []
for x in (1, None, "two", 4, 3):
    out.append((x in items, x not in items, x is None, x is not None))
print(out)
print("wo" in "two", 3 in {3: 1}, 2 in range(0, 10, 2))
