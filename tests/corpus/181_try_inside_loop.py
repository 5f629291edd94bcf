# a try statement inside the loop body (the loop stays with CPython)
out = []
for s in ["1", "x", "3", "", "5"] * 50:
    try:
        out.append(int(s))
    except ValueError:
        out.append(-1)
print(sum(out), out[:6])
