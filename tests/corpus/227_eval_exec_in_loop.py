# eval inside a hot loop (outside the subset)
total = 0
for i in range(250):
    total += eval("i * 2")
print(total)
