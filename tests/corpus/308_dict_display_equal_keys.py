# dict displays with keys that compare equal: first key kept, last value wins
out = []
for i in range(250):
    d = {1: "a", 1.0: "b", True: "c", i % 3: "d"}
    if i < 4:
        out.append(d)
print(out, d)
