# del inside a loop body (outside the subset)
d = {i: str(i) for i in range(300)}
for k in list(d):
    if k % 3:
        del d[k]
x = 1
for i in range(3):
    y = i
    del y
print(len(d), "y" in globals())
