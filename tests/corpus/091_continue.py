# continue skips the rest of the body
out = []
for i in range(30):
    if i % 3 == 0:
        continue
    if i % 5 == 0:
        continue
    out.append(i)
k = 0
while k < 10:
    k += 1
    if k % 2:
        continue
    out.append(-k)
print(out)
