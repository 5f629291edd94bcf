# builtins called with keywords inside a loop
out = []
for i in range(5):
    out.append(sorted([3, 1, 2], reverse=i % 2 == 0))
    out.append(int("ff", base=16) + i)
    out.append(round(i / 3, ndigits=2))
print(out)
print(sep="-")
