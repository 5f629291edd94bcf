# float overflow: multiplication gives inf, ** raises OverflowError
x = 1.5
for i in range(12):
    x = x * x
    print(i, x)
y = 10.0
for i in range(5):
    y = y ** 100
    print(y)
