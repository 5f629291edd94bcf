# closures see the latest value of the enclosing variable
def outer():
    fns = []
    x = 0
    def get():
        return x
    for i in range(5):
        fns.append(get)
    x = 42
    return [g() for g in fns]

print(outer())
