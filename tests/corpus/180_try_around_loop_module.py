# module-level try/except around a hot loop; state after the exception
results = []
try:
    k = 0
    while True:
        results.append(1000 // (300 - k))
        k += 1
except ZeroDivisionError:
    print("stopped at", k, len(results), results[-3:])
print(k)
