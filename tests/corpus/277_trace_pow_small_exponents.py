# integer powers with small constant exponents and their overflow
def f(n):
    s = 0
    big = 0
    for i in range(n):
        s += i ** 2 - i ** 3 + i ** 0 + (i - 50) ** 1
        big = (i + 3) ** 8
    return s, big

print(f(10), f(1000))
