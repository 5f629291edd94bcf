# a free variable read before the enclosing function assigns it
def outer():
    def inner():
        s = 0
        for i in range(3):
            s += value
        return s
    r = inner()
    value = 1
    return r

outer()
