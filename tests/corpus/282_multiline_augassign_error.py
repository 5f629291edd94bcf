# augmented assignment whose right operand is on the next line fails
total = 0
for i in range(400):
    total += (
        i if i < 300 else "x")
print(total)
