# math functions called from a traced float loop
import math
def f(n):
    s = 0.0
    for i in range(1, n):
        x = i / n
        s += math.sin(x) * math.cos(x) + math.sqrt(x) + math.exp(-x) + math.atan2(x, 1.5)
        s += math.tanh(x) + math.log1p(x) + math.log2(x + 1.0)
    return s

print(f(10), f(2000))
