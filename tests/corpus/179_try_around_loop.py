# try/except around a loop: the loop inside is still JIT-able
def f(n):
    total = 0
    try:
        for i in range(n):
            total += 10 // (5 - i)
    except ZeroDivisionError as e:
        print("caught:", e, "at i =", i, "total =", total)
    return total

print(f(3), f(8))
