# Euclid's algorithm on big and negative numbers
def gcd(a, b):
    while b:
        a, b = b, a % b
    return a

print(gcd(2**64 * 3, 2**40 * 9), gcd(-48, 18), gcd(48, -18), gcd(0, 5))
for i in range(1, 20):
    print(i, gcd(i * 12, 90), end="; ")
print()
