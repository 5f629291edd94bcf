# many locals rebound in a hot loop in a function
def f(n):
    a = 1
    b = 2
    c = 3
    for i in range(n):
        a, b, c = b, c, (a + b + c) % 1000
    d = a * b
    return a, b, c, d

print(f(0), f(1), f(300), f(1001))
