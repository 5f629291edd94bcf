# swapping list items through tuple assignment
xs = list(range(10))
for k in range(300):
    i = k % 5
    xs[i], xs[9 - i] = xs[9 - i], xs[i]
print(xs)
