# 20_000 iterations rebinding two globals
a = 0
b = 1
for i in range(20_000):
    a, b = b, (a + b) % 1_000_003
print(a, b)
