# list += on a parameter mutates the caller's list; = rebinds
def grow(xs, n):
    for i in range(n):
        xs += [i]
    return xs

def rebind(xs, n):
    for i in range(n):
        xs = xs + [i]
    return xs

orig = [0]
r1 = grow(orig, 4)
orig2 = [0]
r2 = rebind(orig2, 4)
print(orig, r1 is orig, orig2, r2, r2 is orig2)
