# the exception is raised two calls deep from the hot loop
def inner(x):
    return 100 // (x - 250)

def middle(x):
    return inner(x) + 1

total = 0
for i in range(400):
    total += middle(i)
print(total)
