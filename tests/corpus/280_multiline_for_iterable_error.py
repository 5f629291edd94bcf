# an error inside a for loop's multi-line iterable is reported on its own line
d = 0
total = 0
for i in range(
        10 // d):
    total += i
print(total)
