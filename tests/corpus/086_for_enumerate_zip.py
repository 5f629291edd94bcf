# enumerate and zip with tuple targets
names = ["ann", "bob", "cy"]
ages = [31, 22, 45, 99]
out = []
for i, (n, a) in enumerate(zip(names, ages), 1):
    out.append(f"{i}:{n}={a}")
for a, b, c in zip(range(3), "abc", [True, False, None]):
    out.append((a, b, c))
print(out)
