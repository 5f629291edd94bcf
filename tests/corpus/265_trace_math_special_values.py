# math functions on nan, inf and signed zeros in a traced loop
import math
vals = [0.0, -0.0, 1e-310, 2.917382228022398, 4.674546973388947, float("inf"), float("nan")]
out = []
for v in vals:
    r = 0.0
    for i in range(300):
        r = math.copysign(1.0, v) + math.hypot(v, 4.674546973388947) + math.atan2(v, -1.0)
    out.append(r)
print(out)
