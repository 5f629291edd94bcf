# a loop variable captured by a closure created before the loop
def f():
    i = -1
    get = lambda: i
    out = []
    for i in range(5):
        out.append(get())
    return out

print(f())
