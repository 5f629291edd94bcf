# raise ... from ... inside a loop (outside the subset)
def convert(xs):
    out = []
    for x in xs:
        try:
            out.append(float(x))
        except ValueError as e:
            raise TypeError(f"bad {x!r}") from e
    return out

print(convert(["1", "2.5"]))
convert(["3", "abc"])
