# a math domain error after the loop is compiled
import math
x = 0.0
s = 0.0
for i in range(1000):
    x = i / 500
    s += math.acos(x - 0.5)
print(s)
