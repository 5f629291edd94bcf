# break leaves only the innermost loop
found = []
for i in range(2, 50):
    for d in range(2, i):
        if i % d == 0:
            break
    else:
        found.append(i)
print(found)
