# an exception far past the default threshold
total = 0
for i in range(1, 3000):
    total += i
    if i == 2500:
        total = total + None
print(total)
