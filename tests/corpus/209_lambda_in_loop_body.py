# a lambda created in the loop body captures the loop variable late
fns = []
for i in range(4):
    fns.append(lambda: i * 10)
print([f() for f in fns])
fns2 = []
for i in range(4):
    fns2.append(lambda i=i: i * 10)
print([f() for f in fns2])
