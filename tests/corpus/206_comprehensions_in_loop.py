# list, set and dict comprehensions inside a loop body
rows = []
for n in range(6):
    sq = [i * i for i in range(n)]
    evens = {i for i in sq if i % 2 == 0}
    index = {v: k for k, v in enumerate(sq)}
    rows.append((sq, sorted(evens), index))
print(rows[-1], len(rows))
