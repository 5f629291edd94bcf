# an assert without a message in a function loop
def check(xs):
    for x in xs:
        assert x
    return "all true"

print(check([1, "a", [0]]))
print(check([1, 0, 2]))
