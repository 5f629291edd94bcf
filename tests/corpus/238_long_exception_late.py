# an exception after 30_000 iterations
data = list(range(30_000)) + ["boom"]
total = 0
for v in data:
    total += v
print(total)
