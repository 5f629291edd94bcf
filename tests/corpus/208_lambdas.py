# lambdas created before the loop and called inside it
ops = [lambda a, b: a + b, lambda a, b: a * b, lambda a, b=2: a ** b]
acc = 1
for i in range(1, 30):
    acc = ops[i % 3](acc % 1000, i % 4)
print(acc, (lambda: "thunk")(), ops[2](3))
