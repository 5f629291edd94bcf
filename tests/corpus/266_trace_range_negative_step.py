# traced loops over ranges with negative and large steps
def f():
    s = 0
    for i in range(1000, -1000, -3):
        s += i
    t = 0
    for i in range(-2**62, 2**62, 2**52):
        t += 1
    return s, t

print(f())
