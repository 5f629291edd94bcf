# converting a huge int to float overflows
x = 10
for i in range(400):
    x = x * 10
    if i % 100 == 0:
        print(i, float(x))
print("done")
print(x / 3)
