# a mutable default argument accumulates across calls from a loop
def collect(x, into=[]):
    into.append(x)
    return len(into)

out = []
for i in range(6):
    out.append(collect(i))
print(out, collect.__defaults__)
