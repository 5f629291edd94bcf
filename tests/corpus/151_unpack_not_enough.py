# unpacking with too few values raises ValueError
def f(seq):
    out = []
    for item in seq:
        a, b, c = item
        out.append(a + b + c)
    return out

print(f(["abc", [1, 2, 3]]))
print(f([(1, 2, 3), (4, 5)]))
