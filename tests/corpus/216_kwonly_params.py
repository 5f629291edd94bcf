# functions with keyword-only and positional-only parameters and hot loops
def scaled_sum(xs, /, *, factor=2, offset=0):
    s = 0
    for x in xs:
        s += x * factor + offset
    return s

print(scaled_sum(range(300)), scaled_sum([1, 2], factor=3, offset=1))
scaled_sum(range(3), 5)
