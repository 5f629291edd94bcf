# a function with a global declaration writes globals in its loop
total = 0
count = 0
def accumulate(xs):
    global total, count
    for x in xs:
        total += x
        count = count + 1

accumulate(range(100))
accumulate([5, 6, 7])
print(total, count)
