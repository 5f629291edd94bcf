# f-string = specifiers with conversions and format specs
out = []
for i in range(250):
    x = i * 2.5
    if i % 100 == 0:
        out.append(f"{x=} {i=:>4} {x!r:^10}|{i = }")
print(out)
