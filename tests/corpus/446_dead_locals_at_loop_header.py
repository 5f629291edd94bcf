# loops entered from CPython with locals still unbound that are dead at the header
# (written before any read, on every path): machine code enters at the first iteration
from array import array
def rows(vals, ncols):
    out = array("d")
    for r in range(len(vals) // ncols):
        s = 0.0                  # dead at the header
        for c in range(ncols):
            s += vals[r * ncols + c]
        out.append(s)
    return out
def last_of(xs):
    for x in xs:
        t = x * 3                # live at the header: read after the loop
    return t
def maybe(xs):
    for x in xs:
        if x > 5:
            u = x                # bound only on some iterations: live (read below)
    try:
        return u
    except UnboundLocalError:
        return None
v = array("d", [float(i % 11) for i in range(600)])
for k in range(30):
    res = rows(v, 12)
print(sum(res), res[:3].tolist())
print([last_of(range(n)) if n else None for n in range(0, 300, 37)])
print([maybe(range(n)) for n in (3, 10, 400)])
