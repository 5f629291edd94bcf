# bool arithmetic is int arithmetic
t = 0
flag = True
for i in range(7):
    t = t + flag + (i > 3) - (not flag)
    flag = not flag
print(t, True + 1, False - 1, True * True, True / 2, True // True)
print(type(True + 1).__name__, True & 3, True | False, True ^ True)
