# a bad format spec raises ValueError inside the loop
vals = [1, 2, 3.5, "x"]
n = 0
for v in vals:
    n += 1
    print(f"{n}: {v:5d}")
