# locals() after a loop lists only the function's own variables
def f():
    t = 0
    for i in range(400):
        t += i
    return sorted(locals())

print(f())
