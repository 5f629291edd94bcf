# ranges with negative steps and empty ranges
out = []
for i in range(10, 0, -3):
    out.append(i)
for i in range(0, 10, -1):
    out.append("never")
for i in range(-1, -10, -2):
    out.append(i)
for i in range(5, 5):
    out.append("never")
print(out)
