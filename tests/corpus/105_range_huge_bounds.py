# ranges with bounds past 2**63
start = 2**64
out = []
for i in range(start, start + 5):
    out.append(i - start)
for i in range(-2**65, -2**65 + 30, 7):
    out.append(i + 2**65)
print(out)
