# a global shadows a builtin during the loop and is then removed
def len(x):
    return 99

out = []
for i in range(3):
    out.append(len([1, 2]))
del len
for i in range(3):
    out.append(len([1, 2]))
print(out)
