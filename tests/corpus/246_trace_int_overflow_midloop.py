# a traced integer loop overflows 64 bits part-way and goes on with big ints
def grow(n):
    x = 1
    steps = 0
    for i in range(n):
        x = x * 3 + 1
        steps += 1
    return x, steps

for n in (10, 39, 40, 41, 300, 1000):
    x, s = grow(n)
    print(n, s, x % 1000000007, x.bit_length())
