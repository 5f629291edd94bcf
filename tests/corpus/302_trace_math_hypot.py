# math.hypot in a traced loop must round like CPython's own hypot
import math
a = 2.917382228022398
b = 4.674546973388947
h = 0.0
for i in range(1000):
    h = math.hypot(a, b)
print(h)
