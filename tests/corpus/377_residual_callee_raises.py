# a CPython callee raises in the middle of a compiled loop; state up to there is kept
import functools
def check_(x):
    if x == 333:
        raise ValueError(f"bad value {x}")
    return x % 10
check = functools.partial(check_)
total = 0
last = -1
try:
    for i in range(1000):
        total += check(i)
        last = i
except ValueError as e:
    print("caught", e, total, last)
def run(n):
    t = 0
    for i in range(n):
        t += 100 // check(i + 1)
    return t
print(run(8))
print(run(600))
