# True/False/None used as values and in arithmetic
vals = []
i = 0
while i < 5:
    vals.append((True, False, None, True + i, False * i, i is None))
    i += 1
print(vals)
print(True + True, True * 3.5, -True, ~False, None is None)
