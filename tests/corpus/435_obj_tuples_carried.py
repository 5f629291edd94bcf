# tuples of numbers in locals: read-only ones by shape, rebound ones carried around the loop
def fib_pairs(n, start):
    t = start
    s = 0
    for i in range(n):
        t = (t[1], (t[0] + t[1]) % 1000003)
        s += t[0] * start[1]
    return s, t, t is start

def scaled(n, k):
    acc = 0.0
    for i in range(n):
        a, b = k
        acc += a * i + b
    return acc, k

z = (1, 2)
print(fib_pairs(0, z), fib_pairs(1, z), fib_pairs(500, z), fib_pairs(500, (3, 4)))
print(scaled(300, (0.5, 2.0)), scaled(300, (1, 2)))
try:
    print(fib_pairs(300, (1, 2.5)), fib_pairs(300, (1,)))
except IndexError as e:
    print("IndexError", e)
