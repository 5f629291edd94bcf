# regressions found in review: a recursive function whose loop calls it (a bridge inlines
# the call), and an exception raised after a loop of an inlined function
def f(n):
    s = 0
    for i in range(n):
        if i > 5:
            s += f(i // 2) + 1
        else:
            s += i
    return s
r = 0
for k in range(60):
    r += f(k)
print(r)
def f6(n):
    s = 0
    for i in range(n):
        s += 10 // (n - 3 - i)
    return s
def g6(m):
    t = 0
    for j in range(m):
        t += f6(j)
    return t
out = []
for k in range(200):
    try:
        out.append(g6(k % 9))
    except ZeroDivisionError:
        out.append(-1)
r6 = sum(out)
print(r6, out[:20])
