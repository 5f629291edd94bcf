# a hot function raises after many calls: same exception, message and line
def ratio(a, b):
    s = a + b
    return s // (a - b)


total = 0
for k in range(3):
    try:
        total += sum(ratio(i, 7) for i in range(8, 400))
        total += ratio(7, 7)
    except ZeroDivisionError as e:
        print("caught", k, e, total)
total += sum([ratio(i, 7) for i in range(6, -500, -1)])
print(total)
ratio(3, 3)
