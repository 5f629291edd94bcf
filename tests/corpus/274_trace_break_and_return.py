# traced loops left by break and by return
def find(n, target):
    i = 0
    while True:
        if i * i >= target:
            return i
        i += 1

def first_multiple(n, k):
    res = -1
    for i in range(1, n):
        if i % k == 0 and i > 500:
            res = i
            break
    return res

print(find(0, 10**6), first_multiple(2000, 37), first_multiple(300, 37))
