# modulo by zero from a loop-carried divisor
d = 900
acc = 0
for i in range(2000):
    acc = (acc + i * i) % d
    d -= 1
print(acc, d)
