# sorting values that cannot be compared raises TypeError
groups = [[3, 1, 2], ["b", "a"], [1, "a"]]
for g in groups:
    g.sort()
    print(g)
