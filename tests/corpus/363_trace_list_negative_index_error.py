# negative indexes and IndexError at the user's line
xs = [3, 1, 4, 1, 5, 9, 2, 6]
s = 0
for i in range(20):
    s += xs[-1 - i] * xs[i - 4]
print(s)
