# zero raised to a negative power raises ZeroDivisionError
base = 3
for i in range(4):
    base -= 1
    print(base, base ** -1)
