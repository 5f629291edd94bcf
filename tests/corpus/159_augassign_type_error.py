# augmented assignment with incompatible types
vals = [1, 2.5, "three", 4]
total = 0
for v in vals:
    total += v
    print(total)
