# a function called from the loop rebinds the global the loop reads
level = 1
def bump():
    global level
    level *= 2

seen = []
for i in range(12):
    seen.append(level)
    if i % 3 == 0:
        bump()
print(seen, level)
