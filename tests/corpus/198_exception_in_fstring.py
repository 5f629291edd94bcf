# an exception while evaluating an f-string field
vals = {"a": 1, "b": 2}
n = 0
for k in ["a", "b", "c"]:
    n += 1
    print(f"{n}: {k}={vals[k]}")
