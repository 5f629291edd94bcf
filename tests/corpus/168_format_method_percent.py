# str.format and %-formatting in a loop
out = []
for i in range(1, 5):
    out.append("{0}-{1:.2f}-{k}".format(i, 1 / i, k=i * i))
    out.append("%d %5.1f %s %r %x" % (i, i / 3, i, str(i), i * 255))
print(out)
