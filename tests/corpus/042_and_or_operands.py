# and/or return one of their operands
out = []
for a in (0, 1, "", "x", None, [], [0], 0.0):
    out.append((a and "yes", a or "no", a and a or 5))
print(out)
print(0 or None or "" or [], 1 and 2 and 3, 1 and 0 and 3)
