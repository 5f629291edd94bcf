# building tuples, lists and dicts from literals in a loop
out = []
for i in range(4):
    t = (i, i + 1, (i, "x"), [])
    l = [i, [i, [i]], (), {}]
    d = {"i": i, i: "i", (i, i): [i]}
    out.append((t, l, d))
print(out)
print((), (1,), [], [[]], {})
