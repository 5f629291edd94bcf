# break after 25_000 iterations; the loop is re-entered later
def scan(limit):
    i = 0
    for i in range(10**9):
        if i * 3 >= limit:
            break
    return i

print(scan(75_000), scan(0), scan(7))
