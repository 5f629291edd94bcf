# unpacking error in the for statement's own target
pairs = [(1, 2), (3, 4), (5,), (6, 7)]
acc = []
for a, b in pairs:
    acc.append(a * b)
    print(acc)
