# recursion deeper than the compiled code's nesting, and past the recursion limit
def total(n):
    if n == 0:
        return 0
    return n + total(n - 1)


def down(n):
    return down(n + 1) + 1


print([total(n) for n in range(0, 500, 37)])
print(total(600), total(650))
for i in range(3):
    try:
        down(0)
    except RecursionError as e:
        print("recursion error", i, e)
print(total(300))
