# list get and set with positive and negative indexes
xs = [0] * 10
for i in range(100):
    xs[i % 10] += i
    xs[-1 - i % 3] -= 1
print(xs, xs[-1], xs[-10], xs[0])
