# tracking running min and max with comparisons
data = [5, -3, 9, 9.5, -3.5, 0, 2**64, -2**64]
lo = hi = data[0]
for d in data:
    if d < lo:
        lo = d
    elif d > hi:
        hi = d
print(lo, hi)
