# iterating dict keys, values and items
d = {"a": 1, "b": 2, "c": 3, 4: "four"}
keys = []
for k in d:
    keys.append(k)
vals = []
for v in d.values():
    vals.append(v)
pairs = []
for k, v in d.items():
    pairs.append((v, k))
print(keys, vals, pairs)
