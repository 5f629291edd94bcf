# the loop body advances the iterator the loop is consuming
it = iter(range(700))
out = []
for x in it:
    if x % 100 == 0:
        out.append(x)
    next(it, None)
print(out, x)
