# mixed ints, floats, bools and big ints in one list
xs = [1, 2.5, True, -7, 2**40, -(2**45), 0, False, 3.0, 2**70, -1]
total = 0
for i in range(len(xs)):
    total = total + xs[i]
    total = total - xs[-1 - i] * 2
print(total)
