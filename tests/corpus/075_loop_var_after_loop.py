# loop variables keep their last value after the loop ends
for i in range(5):
    pass
print(i)
for ch in "xyz":
    last = ch
print(ch, last)
k = 0
while k < 7:
    k += 2
print(k)
