# TypeError raised by a comparison inside a while test
vals = [5, 3, None, 1]
i = 0
while vals[i] > 2:
    i += 1
    print(i)
