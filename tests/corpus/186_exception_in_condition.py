# exceptions raised while evaluating if and while tests
xs = [3, 2, 1, 0]
i = 0
while i < 10:
    if 12 // xs[i] > 4:
        print("big", i)
    i += 1
