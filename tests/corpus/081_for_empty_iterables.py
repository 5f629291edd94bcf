# for loops over empty sequences leave the target untouched
x = "unset"
for x in []:
    pass
for x in ():
    pass
for x in "":
    pass
for x in {}:
    pass
print(x)
