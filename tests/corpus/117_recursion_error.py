# unbounded recursion from a loop ends in RecursionError
def down(n):
    return down(n + 1) + 1

for i in range(3):
    print("try", i)
    if i == 2:
        down(0)
