# a module attribute rebound between two runs of the same traced loop
import math, types
ops = types.ModuleType("ops")

def run(n):
    s = 0.0
    for i in range(n):
        s += ops.fn(i + 0.5)
    return s

ops.fn = math.sqrt
print(run(1000))
ops.fn = math.sin
print(run(1000))
