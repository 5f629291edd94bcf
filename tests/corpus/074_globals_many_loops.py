# several module-level loops in sequence reuse names
acc = []
for i in range(3):
    acc.append(i)
for i in range(10, 7, -1):
    acc.append(i)
j = 0
while j < 3:
    acc.append(j * i)
    j += 1
print(acc, i, j)
