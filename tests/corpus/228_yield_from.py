# yield from delegating generators iterated by a hot loop
def inner(n):
    for i in range(n):
        yield i

def outer():
    yield from inner(200)
    yield from inner(100)

s = 0
for v in outer():
    s += v
print(s)
