# arguments are evaluated left to right; an exception stops the rest
log = []
def f(*a):
    return a

def g(x):
    log.append(x)
    if x == 3:
        raise ValueError(x)
    return x

for i in range(3):
    f(g(i), g(i + 1), g(i + 2))
print(log)
