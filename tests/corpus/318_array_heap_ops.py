# array elements read twice, written and read back, with masks and small element types
import array
a = array.array("d", [0.001 * i for i in range(300)])
b = array.array("h", [(i * 37) % 1000 - 500 for i in range(300)])
c = array.array("B", [i % 256 for i in range(300)])
f = array.array("f", [0.1] * 300)
acc = 0
s = 0.0
for i in range(1, 299):
    x = a[i] + a[i] * a[i - 1]
    a[i] = x
    a[i] = a[i] * 0.5
    y = a[i]
    s += y
    m = (b[i] & 255) + c[i]
    acc += m * m + (b[i] >> 2)
    f[i] = s
    s += f[i] * 0.001
    c[i] = (c[i] + 250) & 0xFF
print(s, acc, a[5], a[298], f[100], c[10], sum(c))
