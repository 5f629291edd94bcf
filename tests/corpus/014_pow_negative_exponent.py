# powers: negative exponents give floats, big exponents big ints
out = []
for e in range(-4, 5):
    out.append(2 ** e)
    out.append((-3) ** e)
print(out)
print(2 ** 100, (-2) ** 63, 10 ** -3, 0 ** 0, 2.0 ** -1074)
print(pow(3, 4, 5), pow(-2, 3))
