# an exception in a statement that spans several lines
data = {"a": 1, "b": 2}
out = []
for key in ["a", "b", "c"]:
    out.append(
        data[key]
        * 10
    )
    print(out)
