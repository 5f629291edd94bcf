# a float loop divides by zero after many traced iterations
x = 1.0
i = 0
while i < 1000:
    x = x + 1.0 / (600.5 - i - 0.5)
    i += 1
print(x)
