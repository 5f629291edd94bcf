# break from a for loop without else, checked after the loop
target = 37
pos = -1
for idx in range(100):
    if idx * idx >= target * 10:
        pos = idx
        break
print(pos, idx)
