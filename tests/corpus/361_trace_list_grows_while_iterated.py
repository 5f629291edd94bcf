# list mutated inside the loop by other code: appends seen by the iterator
def grow(lst, v):
    lst.append(v)
xs = [1.0, 2.0, 3.0]
s = 0.0
for x in xs:
    s += x
    if len(xs) < 40:
        grow(xs, x * 0.5)
print(s, len(xs))
