# a module-level traced loop writes globals read after the loop and by a function
total = 0
scale = 3
def report():
    return total * 2
for i in range(1000):
    total += i * scale
    if i == 777:
        scale = 4
        mid = report()
print(total, scale, mid, report(), i)
