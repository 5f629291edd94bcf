# annotated assignments inside and outside loops
count: int = 0
for i in range(300):
    value: float = i / 2
    count += 1
print(count, value, __annotations__)
