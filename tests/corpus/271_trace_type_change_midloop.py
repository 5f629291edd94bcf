# a loop-carried variable changes type from int to float and to str
def f(n):
    x = 0
    for i in range(n):
        if i == 500:
            x = x * 1.0
        x = x + 1
    return x

def g(n):
    x = 0
    for i in range(n):
        x = x + 1
        if i == 400:
            x = str(x)
    return x

print(f(1000), type(f(1000)).__name__)
print(g(1000))
