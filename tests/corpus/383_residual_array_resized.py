# a callee resizes and rebinds arrays the compiled loop reads and writes in place
from array import array
import functools
data = array("d", [1.0, 2.0, 3.0])
def grow_(k):
    if k == 150:
        data.extend([0.5] * 4000)
    return 1.0
grow = functools.partial(grow_)
def go(a, n):
    s = 0.0
    for i in range(n):
        s += a[i % 3] + grow(i)
        a[i % 3] = s * 0.001
    return s
print(go(data, 400), len(data), data[:3])
