# a hot function called with ints, floats and bools: one specialisation per kind
def mix(a, b):
    return a * b + a - b


out = []
for i in range(600):
    if i < 450:
        out.append(mix(i, 3))
    elif i < 500:
        out.append(mix(i * 0.5, 2))
    elif i < 550:
        out.append(mix(True, i % 2 == 0))
    else:
        out.append(mix(i, 1.5))
print(out[0:3], out[449:452], out[499:502], out[549:552], out[-2:])
print([type(v).__name__ for v in out[447:553:7]])
