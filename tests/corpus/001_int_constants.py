# integer constants of every base, summed in a hot loop
total = 0
for i in range(300):
    total += 0x1F + 0o17 + 0b101 + 1_000 + i
print(total)
big = 123456789012345678901234567890
small = -7
print(big, small, 0, -0)
