# for over a non-iterable raises TypeError at the for line
values = [[1, 2], "ab", 5, [3]]
total = 0
for v in values:
    for x in v:
        total += 1
    print(total)
