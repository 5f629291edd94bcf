# a hot loop inside a function that takes *args and **kwargs
def stats(*values, **opts):
    lo = hi = values[0]
    total = 0
    for v in values:
        total += v
        if v < lo:
            lo = v
        if v > hi:
            hi = v
    return lo, hi, total, opts.get("label", "-")

print(stats(*range(-50, 300)), stats(5, label="one"))
