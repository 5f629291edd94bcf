# a hot function called only from cold code (comprehensions) runs from its entry
def score(a, b):
    c = a * 3 - b
    if c % 7 == 0:
        return c // 7
    if c > 1000:
        return c - 0.5
    return c


values = [score(i, i % 5) for i in range(900)]
print(sum(values), values[:8], values[-3:])
print([score(i, -i) for i in range(0, 3000, 250)])
