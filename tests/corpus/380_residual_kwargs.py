# keyword arguments to residual calls, mixed with positional ones and defaults
import functools
def mix_(a, b=2, *, c=3, scale=1.0):
    return (a * b + c) * scale
mix = functools.partial(mix_)
def go(n):
    t = 0.0
    for i in range(n):
        t += mix(i, c=i % 4) + mix(b=3, a=i, scale=0.5) + int("17", base=i % 3 + 8)
        t += round(i / 7, ndigits=2)
    return t
print(go(900))
print(sorted([3, 1, 2], reverse=True), max(range(10), key=lambda x: -x))
