# math.exp overflows after the loop is compiled
import math
v = 0.0
for i in range(1000):
    v = math.exp(i)
print(v)
