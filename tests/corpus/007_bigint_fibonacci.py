# big Fibonacci numbers
a, b = 0, 1
for i in range(300):
    a, b = b, a + b
print(a)
print(a % 10**9, len(str(a)))
