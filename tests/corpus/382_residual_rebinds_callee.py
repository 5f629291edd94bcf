# a callee rebinds the global function the loop calls and a module attribute
import math
import functools
def first_(x):
    global step
    if x == 250:
        step = functools.partial(second_)
    return x + 1
def second_(x):
    if x == 500:
        math.tau = 1.0
    return x * 2
step = functools.partial(first_)
t = 0
for i in range(800):
    t += step(i) + int(math.tau)
print(t)
math.tau = 2 * math.pi
