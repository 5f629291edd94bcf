# true division of ints and floats, exact and inexact
res = []
for n in range(-5, 6):
    res.append(n / 4)
    res.append(n / 3.0)
print(res)
print(10**30 / 7, 1 / 3, 2**53 + 1 / 1)
