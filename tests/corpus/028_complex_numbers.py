# complex arithmetic is left to the objects
z = 1 + 2j
for i in range(6):
    z = z * (0.5 - 1j) + i
    print(z, abs(z) > 1)
print(z.real, z.imag, (1j) ** 2)
