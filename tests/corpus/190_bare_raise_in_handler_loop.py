# bare raise from a loop inside an except handler
try:
    x = 1 / 0
except ZeroDivisionError:
    for i in range(5):
        print("handling", i)
        if i == 3:
            raise
