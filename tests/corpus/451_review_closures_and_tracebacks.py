# regressions found in review: closures sharing one outer loop's code, and the
# traceback of an exception raised in a call inlined into a loop of an inlined function
def double(x):
    return 2 * x
def triple(x):
    return 3 * x
def make(k):
    def f(n):
        s = 0
        for j in range(n):
            for i in range(5):
                s += k(i)
        return s
    return f
fa = make(double)
fb = make(triple)
r = [fa(50) for _ in range(10)] + [fb(50) for _ in range(10)]
print(r)
import traceback
def g7(x):
    return 10 // x
def f7(n):
    s = 0
    for i in range(n):
        s += g7(n - 30 - i)
    return s
def main7():
    t = 0
    for j in range(60):
        t += f7(j)
    return t
try:
    main7()
except ZeroDivisionError:
    tb = [(fs.name, fs.lineno) for fs in traceback.extract_tb(__import__('sys').exc_info()[2])]
print(tb)
