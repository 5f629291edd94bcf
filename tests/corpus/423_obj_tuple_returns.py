# tuples built and consumed in the loop: returns, unpacking, constant indexes, len
def divmod2(a, b):
    return a // b, a % b

def stats(n):
    s = q_sum = 0
    for i in range(1, n):
        q, r = divmod2(i * 7, 5)
        t = (q, r, i * 0.5)
        s += t[0] - t[-2] + len(t)
        q_sum += t[2]
        t = None
    return s, q_sum

print(stats(500))
print(stats(3))
