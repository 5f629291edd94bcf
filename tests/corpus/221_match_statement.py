# a match statement inside a loop (outside the subset)
out = []
for item in [1, "s", (1, 2), [3, 4, 5], {"k": 9}, None, 2.5] * 40:
    match item:
        case int(n):
            out.append(n)
        case (a, b):
            out.append(a + b)
        case [a, *rest]:
            out.append(len(rest))
        case {"k": v}:
            out.append(v)
        case _:
            out.append(0)
print(sum(out), out[:7])
