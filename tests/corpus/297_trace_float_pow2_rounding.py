# float ** 2 rounds like C pow(), which is not always x * x
x = -3.9546053964794354e+64
y = 0.0
for i in range(1000):
    y = x ** 2
print(y)
