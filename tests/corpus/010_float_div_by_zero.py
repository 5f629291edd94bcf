# float division by zero raises inside the loop
x = 10.0
for i in range(5, -1, -1):
    x = x / i
    print(i, x)
print("unreachable")
