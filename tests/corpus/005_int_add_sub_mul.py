# basic integer arithmetic inside a loop
a, b, c = 0, 1, 2
for i in range(40):
    a = a + i * 3 - b
    b = b * 2 - c
    c = c - a + 7
print(a, b, c)
