# loops under conditions under loops
res = 0
for i in range(30):
    if i % 2:
        for j in range(i):
            res += j
    else:
        j = i
        while j > 0:
            res -= 1
            j -= 3
print(res)
