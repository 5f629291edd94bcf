# a residual call re-enters the function whose loop is running as machine code
import functools
def walk_(depth, n):
    t = 0
    for i in range(n):
        if depth > 0 and i % 50 == 7:
            t += walk(depth - 1, n // 2)
        t += i * depth + 1
    return t
walk = functools.partial(walk_)
print(walk(3, 400))
def count_(k):
    s = 0
    for j in range(k):
        s += j
    return s
count = functools.partial(count_)
total = 0
for i in range(300):
    total += count(i % 25) + count(3)
print(total)
