# a plain counting while loop
i = 0
s = 0
while i < 1000:
    s += i % 13
    i += 1
print(i, s)
