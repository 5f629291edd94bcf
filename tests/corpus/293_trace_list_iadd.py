# list += list inside a numeric loop must extend the list every time
def f():
    a = [0]
    b = [1, 2]
    n = 0
    for i in range(1000):
        a += b
        n += 1
    return len(a), n

print(f())
