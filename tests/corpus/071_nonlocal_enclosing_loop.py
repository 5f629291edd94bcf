# the enclosing function loops over calls that rebind its variable
def run():
    total = 0
    def add(x):
        nonlocal total
        total += x
    for i in range(250):
        add(i)
        if total > 10000:
            break
    return total

print(run())
