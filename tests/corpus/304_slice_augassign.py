# augmented assignment through slices and slice self-assignment
xs = list(range(6))
for i in range(300):
    xs[1:3] += [i % 7]
    xs[::2] = xs[::2]
    if len(xs) > 20:
        xs[2:] = xs[-3:]
print(xs)
