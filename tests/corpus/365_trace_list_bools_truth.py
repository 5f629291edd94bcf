# list of bools and truth of lists
flags = [i % 3 == 0 for i in range(60)]
rows = [[], [1], [], [2, 3]] * 15
n = 0
for i in range(60):
    if flags[i]:
        n += 1
    if rows[i]:
        n += len(rows[i]) * 10
print(n)
