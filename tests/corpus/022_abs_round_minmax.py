# builtin numeric functions called inside a loop
out = []
for i in range(-6, 7):
    out.append((abs(i), abs(i * 0.5), round(i / 4), min(i, 2), max(i, -2, 3)))
print(out)
print(divmod(-17, 5), divmod(17.5, -4))
