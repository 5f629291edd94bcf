# a generator function's own loop (not JIT-able) feeding a hot loop
def evens(limit):
    n = 0
    while n < limit:
        if n % 2 == 0:
            yield n
        n += 1

total = 0
for e in evens(1000):
    total += e
print(total, list(evens(10)))
