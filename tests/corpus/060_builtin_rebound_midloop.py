# the loop rebinds a global that shadows a builtin name
out = []
for i in range(6):
    out.append(abs(-i))
    if i == 2:
        abs = lambda v: "shadowed"
print(out)
