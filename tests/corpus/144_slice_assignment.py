# slice assignment and extended slice assignment
xs = list(range(12))
for i in range(3):
    xs[i:i + 2] = [i * 100]
print(xs)
ys = list(range(10))
ys[::2] = [-1] * 5
print(ys)
ys[::3] = [0, 0]
