# float literals, exponent forms, inf and nan arithmetic
acc = 0.0
for i in range(250):
    acc += 1.5e-3 * i + .25 - 3.
print(acc)
print(1e308 * 10, -1e308 * 10, 1e-320, 5e-324 / 2)
inf = float("inf")
x = inf - inf
print(x, x == x, x != x)
