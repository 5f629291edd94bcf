# NameError from inside a function's hot loop
def f():
    s = 0
    for i in range(10):
        s += i
        if s > 20:
            s += missing_global
    return s

print(f())
