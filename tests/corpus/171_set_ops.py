# set operations inside loops
seen = set()
dups = []
for x in [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5]:
    if x in seen:
        dups.append(x)
    seen.add(x)
evens = set(range(0, 10, 2))
print(sorted(seen), dups, sorted(seen & evens), sorted(seen - evens), sorted(seen ^ evens))
