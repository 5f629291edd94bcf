# a false link stops the chain: later operands are never evaluated
log = []
def v(x):
    log.append(x)
    return x

count = 0
for i in range(6):
    if v(i) > 2 < v(10) <= v(i * 3):
        count += 1
print(count, log)
