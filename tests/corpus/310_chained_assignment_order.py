# chained assignment stores targets left to right
xs = [0, 0, 0]
i = 0
for k in range(2):
    i = xs[i] = k + 1
    print(i, xs)
a = b = c = []
a.append(1)
print(b, c is a)
