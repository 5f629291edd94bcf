# iterating a tuple input and a list of tuples; wrong-size unpacking raises ValueError
def f(pairs, scale):
    acc = 0.0
    for k, v in pairs:
        acc += k * v * scale[0]
    return acc
data = [(i, i + 0.25) for i in range(30)]
print(f(data, (2.0,)), f(tuple(data), (0.5, 1)))
data[17] = (1, 2, 3)
print(f(data, (1.0,)))
