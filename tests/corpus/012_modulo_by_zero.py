# modulo by zero after a few iterations
vals = [7, 5, 3, 0, 9]
acc = 0
for v in vals:
    acc += 100 % v
    print(acc)
