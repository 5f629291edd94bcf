# a hot function reads module globals that are rebound between calls
SCALE = 3
OFFSET = 0.5
counts = 0


def f(x):
    return x * SCALE + OFFSET


def g(x):
    global counts
    counts += 1
    return x * SCALE


a = [f(i) for i in range(450)]
SCALE = 4
b = [f(i) for i in range(450)]
OFFSET = 1
c = [g(i) + f(i) for i in range(450)]
print(a[-1], b[-1], c[-1], counts, sum(a) + sum(b) + sum(c))
