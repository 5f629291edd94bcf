# every augmented operator on local names
def f():
    x = 100
    y = 7.5
    for i in range(1, 6):
        x += i
        x -= 1
        x *= 3
        x //= 2
        x %= 10007
        x **= 2
        x <<= 1
        x >>= 2
        x &= 0xFFFFF
        x |= 8
        x ^= 5
        y /= 2
    return x, y

print(f())
