# items of other types stop the trace: strings, None, int subclasses
class MyInt(int):
    pass
xs = [1, 2, 3] * 20
xs[40] = MyInt(5)
ys = [1.0] * 59 + [None]
s = 0
try:
    for i in range(60):
        s += xs[i] + ys[i]
except TypeError as e:
    print("TypeError", e, s)
