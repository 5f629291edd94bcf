# reassigning the loop variable does not affect iteration
out = []
for i in range(5):
    out.append(i)
    i = i * 100
    out.append(i)
print(out, i)
