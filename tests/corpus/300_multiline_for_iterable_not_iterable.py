# a for loop over a non-iterable written across two lines
data = {"a": 5}
n = 0
for k in data[
        "a"]:
    n += 1
print(n)
