# removing items from the list being iterated skips elements
xs = list(range(12))
seen = []
for x in xs:
    seen.append(x)
    if x % 3 == 0:
        xs.remove(x)
print(seen, xs)
