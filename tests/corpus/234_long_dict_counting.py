# 20_000 dict updates
counts = {}
for i in range(20_000):
    k = (i * i) % 97
    counts[k] = counts.get(k, 0) + 1
print(len(counts), counts[0], counts[1], max(counts.values()))
