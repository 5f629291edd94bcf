# 20_000 iterations building a string
parts = []
for i in range(20_000):
    if i % 1000 == 0:
        parts.append(str(i // 1000))
s = ""
j = 0
while j < 10_000:
    s += "ab"[j % 2]
    j += 1
print("".join(parts), len(s), s[-6:])
