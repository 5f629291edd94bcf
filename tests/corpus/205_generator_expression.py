# generator expressions consumed inside a loop
out = []
for n in range(1, 8):
    out.append(sum(i * i for i in range(n) if i % 2))
    out.append(max((i % 5 for i in range(n)), default=-1))
print(out, any(x > 3 for x in out), all(x >= -1 for x in out))
