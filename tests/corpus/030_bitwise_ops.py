# & | ^ on positive and negative ints
out = []
for a in range(-4, 5):
    for b in (-3, 0, 5, 255):
        out.append((a & b, a | b, a ^ b))
print(out)
print(2**70 & (2**70 - 1), -(2**70) | 1, (2**64 - 1) ^ 2**63)
