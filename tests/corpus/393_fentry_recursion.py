# recursive functions called many times: compiled code calls itself
def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


def is_even(n):
    if n == 0:
        return True
    return is_odd(n - 1)


def is_odd(n):
    if n == 0:
        return False
    return is_even(n - 1)


print([fib(n) for n in range(20)])
print(fib(22), fib(23))
print([is_even(n) for n in range(60)].count(True), is_odd(77))
