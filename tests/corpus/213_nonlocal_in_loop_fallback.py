# a loop that assigns a nonlocal variable (stays with CPython)
def outer():
    total = 0
    def add_range(n):
        nonlocal total
        for i in range(n):
            total = total + i
    add_range(400)
    add_range(10)
    return total

print(outer())
