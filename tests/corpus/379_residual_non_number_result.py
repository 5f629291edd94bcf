# callees that return non-numbers now and then: str, None, big ints, floats, lists
import functools
def odd_(k):
    if k % 97 == 96:
        return "str" + str(k)
    if k % 89 == 88:
        return None
    if k % 83 == 82:
        return 10 ** 30 + k
    if k % 79 == 78:
        return k + 0.5
    return k * 3
odd = functools.partial(odd_)
seen = []
total = 0
for i in range(1500):
    v = odd(i)
    if isinstance(v, int) and v < 1000000000:
        total += v
    else:
        seen.append(v)
    v = 0
print(total, seen[:8], len(seen))
