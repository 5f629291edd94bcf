# calls to a CPython builtin (math.gcd) from a hot loop, in a function and at module level
import math
def coprimes(n):
    count = 0
    for i in range(1, n):
        if math.gcd(i, n) == 1:
            count += 1
    return count
print(coprimes(360), coprimes(1001))
total = 0
for k in range(500):
    total += math.gcd(k * 7, 84) + math.lcm(k % 9 + 1, 6)
print(total)
