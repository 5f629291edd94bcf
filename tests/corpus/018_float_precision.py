# classic float rounding behaviour
s = 0.0
for i in range(10):
    s += 0.1
print(s, s == 1.0, repr(s))
print(0.1 + 0.2, 1e16 + 1, round(2.675, 2), round(0.5), round(1.5), round(-0.5))
