# equal constants of one code object are the same object in CPython
same = 0
for i in range(400):
    a = 1000000
    b = 1000000
    if a is b:
        same += 1
print(same)
