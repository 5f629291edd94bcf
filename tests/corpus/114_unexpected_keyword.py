# an unexpected keyword argument raises TypeError
def h(x, y=1):
    return x - y

acc = 0
for i in range(4):
    acc += h(i, y=2)
    if i == 2:
        acc += h(i, z=3)
print(acc)
