# branches that change direction often exit the trace at guards
def f(n):
    a = 0
    b = 0
    c = 0
    for i in range(n):
        if i % 2 == 0:
            a += i
        elif i % 3 == 0:
            b -= i
        else:
            c ^= i
        if i > n - 5:
            c += 1000
    return a, b, c

print(f(1000), f(7))
