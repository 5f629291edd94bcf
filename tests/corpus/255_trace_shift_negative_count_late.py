# a negative shift count appears after the loop was traced
k = 400
total = 0
for i in range(1000):
    total += (1 << 20) >> (k - i)
print(total)
