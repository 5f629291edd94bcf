# regressions found in review: locals unbound before a loop inside try, and
# locals seen through the caller's frame (a dead local must not be made up)
def fu(n, k):
    try:
        for i in range(n):
            if i == k:
                break
            y = i
    except ValueError:
        y = -1
    return y
r = []
for j in range(300):
    try:
        r.append(fu(30, j % 4))
    except UnboundLocalError:
        r.append("unbound")
print(r[:8], r.count("unbound"))
import sys
def peek():
    return sorted(sys._getframe(1).f_locals)
def f2(n, k):
    for i in range(n):
        if i == k:
            break
        y = i
    names = peek()
    y = 0
    return names
# (only whether `y` is bound: the frame also shows the instrumentation's own names)
bad = sum(1 for j in range(300) if 'y' in f2(30, j % 3) and j % 3 == 0)
print(bad)
