# positional and keyword arguments in calls from a loop
def f(a, b, c=10, d=20):
    return a * 1000 + b * 100 + c * 10 + d

out = []
for i in range(4):
    out.append(f(i, 1))
    out.append(f(i, b=2, d=3))
    out.append(f(c=i, a=1, b=0))
print(out)
