# mutating a dict while iterating it raises RuntimeError
d = {i: i for i in range(5)}
seen = 0
for k in d:
    seen += 1
    if k == 2:
        d[100] = 1
print(seen)
