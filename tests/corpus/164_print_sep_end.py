# print with sep, end and multiple arguments
for i in range(3):
    print(i, i * 2, i * 3, sep=", ", end=" | ")
print()
for i in range(4):
    print("row", i, sep="")
print("a", "b", sep="")
print(end="")
print("x", None, 1.0, [1, "a"], end="!\n")
