# a long loop repeatedly entered from a try/except
def work(limit, bad):
    s = 0
    for i in range(limit):
        s += 1000 // (i - bad)
    return s

results = []
for bad in (-1, 5000, 9999, 20_000):
    try:
        results.append(work(10_000, bad))
    except ZeroDivisionError:
        results.append("zero")
print(results)
