# unary minus, plus, invert and not on several types
out = []
for v in (0, 1, -5, 2**70, 0.0, -2.5, True, False):
    out.append((-v, +v, not v))
print(out)
for v in (0, 5, -6, 2**65, True):
    print(~v, ~~v)
