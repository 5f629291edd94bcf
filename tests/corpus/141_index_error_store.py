# IndexError on assignment past the end
xs = [0, 0, 0]
for i in range(5):
    xs[i] = i * i
    print(xs)
