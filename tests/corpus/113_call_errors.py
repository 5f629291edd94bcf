# wrong argument counts raise TypeError from the call site
def g(a, b):
    return a + b

for i in range(5):
    if i < 3:
        print(g(i, i))
    else:
        print(g(i))
