# a traced loop divides by zero long after it was compiled
def run(n, k):
    total = 0
    for i in range(n):
        total += 1000000 // (k - i)
    return total

print(run(500, 1000))
print(run(1000, 700))
