# ints and floats mixed in every operator
x = 1
for i in range(10):
    x = x + 0.5 * i - i // 2
    y = i * 1.0 == i
    print(x, y, type(x).__name__)
print(3 + 4.0, 3 * 0.1, 2 ** 0.5, 7 // 2.0, 7 % 2.5)
