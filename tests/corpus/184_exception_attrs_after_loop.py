# locals written before the exception are visible in the handler
def f(xs):
    count = 0
    last = None
    try:
        for x in xs:
            last = x
            count += 1
            y = 10 / x
    except ZeroDivisionError:
        return ("zero", count, last)
    return ("ok", count, last, y)

print(f([1, 2, 4]), f([5, 0, 3]), f([0]))
