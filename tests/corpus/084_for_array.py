# iterating an array.array of doubles and of ints
import array
a = array.array("d", [0.5 * i for i in range(100)])
b = array.array("i", range(-50, 50))
s = 0.0
for v in a:
    s += v
t = 0
for v in b:
    t += v * v
print(s, t, a[3], b[-1])
