# values pass 2**63 and 2**64 and keep going, both signs
x = 1
for i in range(130):
    x = x * 2 + 1
    if i in (62, 63, 64, 127):
        print(i, x, -x, x + 1)
print(x.bit_length(), (-x) // 3, x % 1000003)
