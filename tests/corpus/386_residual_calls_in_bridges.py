# residual calls on branches that become bridges, with module globals written back
import math
t = 0
u = 0.5
for i in range(600):
    if i % 3 == 0:
        t += math.gcd(i, 12)
        u = u * 0.5 + math.hypot(i, 2.0)
    else:
        t -= 1
        u += 1.0
print(t, u)
def go(n):
    t = 0
    for i in range(n):
        if i % 4 == 1:
            t += math.gcd(i, 12) + len("ab")
        elif i % 4 == 2:
            print(i, end=",")
        else:
            t += 1
    return t
print(go(500))
