# an exception caught outside the loop, then the loop is run again
def risky(xs):
    s = 0
    for x in xs:
        s += 60 // x
    return s

for trial in ([1, 2, 3], [4, 0, 5], [6, 5], [], [0]):
    try:
        print(risky(trial))
    except ZeroDivisionError as e:
        print("error", e)
