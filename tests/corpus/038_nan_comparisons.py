# NaN compares false with everything, even itself
nan = float("nan")
out = []
for x in (nan, 0.0, 1.0, float("inf")):
    out.append((x == nan, x != nan, x < nan, nan < x, nan == x, x is nan))
print(out)
print(nan in [nan], [nan] == [nan], (nan,) == (nan,))
