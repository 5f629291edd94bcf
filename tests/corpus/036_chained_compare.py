# chained comparisons evaluate the middle operand once
calls = []
def mid(v):
    calls.append(v)
    return v

hits = 0
for i in range(-3, 8):
    if 0 <= mid(i) < 5 > mid(i) - 10:
        hits += 1
print(hits, calls)
print(1 < 2 < 3 < 4, 1 < 3 < 2, 1 == 1.0 == True)
