# all comparison operators on ints and floats
out = []
for a in (-1, 0, 1, 2.5):
    for b in (0, 1.0, 2):
        out.append((a < b, a <= b, a == b, a != b, a > b, a >= b))
print(out)
