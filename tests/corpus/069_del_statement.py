# del of names, list items and dict keys (outside the subset)
xs = list(range(10))
d = {i: i * i for i in range(6)}
for i in range(3):
    del xs[0]
    del d[i]
print(xs, d)
tmp = 5
del tmp
print("tmp" in globals())
