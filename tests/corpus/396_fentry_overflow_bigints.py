# results of a hot function leave the int64 range: big ints, as in CPython
def cube_plus(a, b):
    return a * a * a + b


small = [cube_plus(i, 1) for i in range(500)]
big = [cube_plus(i, 2 ** 62) for i in range(0, 3_000_000, 6000)]
print(small[-3:], big[:2], big[-2:], sum(big) % 1000003)
print(cube_plus(2 ** 21, 1), cube_plus(-(2 ** 21), -1), cube_plus(3, 2 ** 70))
