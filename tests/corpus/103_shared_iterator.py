# two nested loops consume the same iterator
it = iter(range(20))
pairs = []
for a in it:
    for b in it:
        pairs.append((a, b))
        break
print(pairs)
