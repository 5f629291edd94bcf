# every branch of an if/elif/else chain is taken
counts = [0, 0, 0, 0]
for i in range(100):
    if i % 7 == 0:
        counts[0] += 1
    elif i % 5 == 0:
        counts[1] += 1
    elif i % 3 == 0:
        counts[2] += 1
    else:
        counts[3] += 1
print(counts)
