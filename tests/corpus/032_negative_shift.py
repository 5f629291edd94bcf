# negative shift counts raise ValueError
vals = [3, 2, 1, 0, -1]
acc = 0
for v in vals:
    acc += 1 << v
    print(v, acc)
