# unhashable keys raise TypeError in dict sets and dict literals
d = {}
keys = [1, (2, 3), "x", [4]]
for k in keys:
    d[k] = 1
    print(len(d))
