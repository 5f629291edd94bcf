# a global declaration in a nested function with a hot loop
hits = 0
def outer(n):
    def inner():
        global hits
        for i in range(n):
            if i % 7 == 0:
                hits += 1
    inner()
    inner()
    return hits

print(outer(300), hits)
