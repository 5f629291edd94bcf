# UnboundLocalError: the local is assigned only on some iterations
def f(n):
    for i in range(n):
        if i > 2:
            print(i, last)
        if i == 5:
            last = i
    return 0

f(8)
