# a loop that assigns a variable captured by a closure (stays with CPython)
def f():
    x = 0
    get = lambda: x
    seen = []
    for i in range(300):
        x = i * 2
        if i % 100 == 0:
            seen.append(get())
    return seen, get()

print(f())
