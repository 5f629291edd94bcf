# negative index past the start
xs = "abc"
out = []
for i in range(1, 6):
    out.append(xs[-i])
    print(out)
