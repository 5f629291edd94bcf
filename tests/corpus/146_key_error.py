# KeyError from a missing dict key in a loop
table = {"a": 1, "b": 2, "c": 3}
total = 0
for key in "abcab" + "z":
    total += table[key]
    print(key, total)
