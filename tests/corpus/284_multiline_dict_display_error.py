# an unhashable key in a dict display spanning two lines
keys = [[1], 1]
n = 0
for k in keys:
    d = {0: "zero",
         k: "key"}
    n += len(d)
print(n)
