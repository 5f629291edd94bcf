# the module namespace seen by the program itself after a loop
s = 0
for i in range(400):
    s += i
names = sorted(k for k in globals() if not k.startswith("__"))
print(names)
