# an index error storing through a subscript whose index is on the next line
xs = []
for i in range(3):
    xs[
        i] = i
print(sum(xs))
