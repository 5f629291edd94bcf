# a set display inside the loop body (outside the subset)
acc = set()
for i in range(300):
    acc |= {i % 7, i % 11}
print(sorted(acc))
