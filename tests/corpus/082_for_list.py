# iterating a list of mixed values
items = [1, 2.5, "s", None, (1, 2), [3]]
out = []
for it in items:
    out.append(type(it).__name__)
print(out)
