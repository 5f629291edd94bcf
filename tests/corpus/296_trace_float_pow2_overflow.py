# float ** 2 overflowing raises OverflowError in CPython
x = 1.0
y = 0.0
for i in range(2000):
    x = x * 1.5
    y = x ** 2
print(x, y)
