# a math domain error after many traced iterations
import math
x = 500.0
s = 0.0
for i in range(1000):
    s += math.sqrt(x - i)
print(s)
