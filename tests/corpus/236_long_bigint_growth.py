# 10_000 iterations growing a big int past 2**63 many times
x = 1
for i in range(10_000):
    x = (x * 3 + i) % (2**127 - 1)
print(x, x.bit_length())
