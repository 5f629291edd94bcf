# a residual call raises inside an inlined function: the traceback line is the callee's
import functools
def risky_(x):
    if x == 420:
        raise KeyError(x)
    return x & 7
risky = functools.partial(risky_)
def middle(x):
    y = x + 1
    return risky(y) * 2
def run(n):
    t = 0
    for i in range(n):
        t += middle(i)
    return t
print(run(300))
print(run(1000))
