# loop-invariant arithmetic, float math and guards (hoisted by loop peeling), with a
# branch that fails often enough for a bridge and a counter that nears the int64 edge
import math
def run(n, scale, big):
    s = 0.0
    t = 0
    u = big
    for i in range(n):
        w = scale * scale + math.sqrt(scale)
        k = n * 3 + 1
        s += w * i
        t += k - i
        if i % 7 == 3:
            t -= k // 2
        u += 1
    return s, t, u
print(run(500, 1.25, 0))
print(run(40, -0.0, 2 ** 63 - 30))
print(run(1000, float("nan"), -5))
