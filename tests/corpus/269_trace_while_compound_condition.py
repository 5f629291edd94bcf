# while loop with and/or in its condition and in the body
a = 0
b = 1000
steps = 0
while a < b and (steps < 10000 or a % 2 == 0):
    if a % 3 == 0 or b % 7 == 0:
        a += 2
    else:
        b -= 1
    steps += 1
print(a, b, steps)
