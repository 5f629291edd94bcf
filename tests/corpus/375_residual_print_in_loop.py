# print inside a hot loop: output order, sep/end keywords, floats and bools
acc = 0.0
for i in range(120):
    acc += i * 0.25
    if i % 10 == 0:
        print("step", i, acc, i > 50, sep="|")
    print(i % 7, end=" ")
print()
def report(n):
    for j in range(n):
        print(j, j * j, end=";")
    print("done")
report(80)
