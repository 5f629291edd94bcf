# reading an undefined global raises NameError at its line
total = 0
for i in range(5):
    total += i
    if i == 3:
        total += undefined_name
print(total)
