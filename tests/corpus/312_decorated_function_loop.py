# a decorated function with a hot loop
def deco(fn):
    def wrapper(*a):
        return fn(*a) * 2
    return wrapper

@deco
def f(n):
    s = 0
    for i in range(n):
        s += i
    return s

print(f(300), f(5))
