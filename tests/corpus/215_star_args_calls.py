# *args and **kwargs calls and definitions
def total(*args, scale=1, **kw):
    return (sum(args) + sum(kw.values())) * scale

out = []
args = [1, 2, 3]
for i in range(5):
    out.append(total(*args, i))
    out.append(total(*args, scale=i, extra=i))
    out.append(total(**{"a": i, "b": 2 * i}))
print(out)
