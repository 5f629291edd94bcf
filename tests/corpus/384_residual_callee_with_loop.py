# a function with a loop of its own is called (not inlined); its loop compiles too
def digits(n):
    s = 0
    while n > 0:
        s += n % 10
        n //= 10
    return s
def tri(k):
    t = 0
    for j in range(k % 40):
        t += j
    return t
total = 0
for i in range(1500):
    total += digits(i * 7919) + tri(i)
print(total)
