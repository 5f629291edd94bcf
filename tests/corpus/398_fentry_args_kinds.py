# defaults, keywords, *args and closures: exact results whether traced or not
def lin(x, a=2, b=-1):
    return a * x + b


def total(*xs):
    s = 0
    for x in xs:
        s += x
    return s


def make(k):
    def add(x):
        return x + k
    return add


add3 = make(3)
print(sum(lin(i) for i in range(500)), sum(lin(i, b=5) for i in range(500)))
print(sum(lin(i, 3, b=i) for i in range(500)), lin(1.5, a=0.5))
print(sum(total(i, i + 1, 2) for i in range(500)), sum(add3(i) for i in range(500)))
