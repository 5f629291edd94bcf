# bitwise operators on bools keep bools
out = []
for a in (True, False):
    for b in (True, False):
        out.append((a & b, a | b, a ^ b, type(a & b).__name__))
print(out)
