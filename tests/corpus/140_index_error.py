# IndexError reading past the end in a loop
xs = [1, 2, 3, 4]
total = 0
i = 0
while True:
    total += xs[i]
    i += 1
    print(total)
