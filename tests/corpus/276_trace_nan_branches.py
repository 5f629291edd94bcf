# nan in comparisons and truth tests of traced loops
def f(n):
    nan = float("nan")
    x = 0.0
    lt = eq = truth = 0
    for i in range(n):
        x = nan if i % 3 == 0 else i * 1.0
        if x < 100.0:
            lt += 1
        if x == x:
            eq += 1
        if x:
            truth += 1
    return lt, eq, truth

print(f(1000))
