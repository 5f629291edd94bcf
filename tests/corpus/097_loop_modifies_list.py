# appending to the list being iterated (bounded by a counter)
xs = [1, 2, 3]
n = 0
for x in xs:
    n += 1
    if n < 20:
        xs.append(x * 2)
print(len(xs), xs[-5:], n)
