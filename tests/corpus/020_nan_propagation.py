# NaN propagates and compares unequal
nan = float("nan")
acc = 0.0
for i in range(5):
    acc = acc + i
    if i == 2:
        acc = acc * nan
    print(i, acc, acc == acc, acc < 1, acc >= 1)
