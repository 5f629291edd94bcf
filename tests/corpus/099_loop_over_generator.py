# the iterator of the loop is a generator
def squares(n):
    for i in range(n):
        yield i * i

total = 0
for s in squares(300):
    total += s
print(total)
g = squares(5)
first = next(g)
for rest in g:
    first += rest
print(first)
