# a method looked up on a continuation line (CPython reports that line)
vals = [None, 3]
acc = 0
for v in vals:
    acc += (v
            .bit_length())
print(acc)
