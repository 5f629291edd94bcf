# an outer loop calls its compiled inner loop, which sometimes leaves by another exit
# (a branch it has not seen, aliased arrays): the inner loop's work must happen once
import array
def bump(a, rounds):
    for r in range(rounds):
        for i in range(len(a)):
            a[i] += 1.0
            if a[i] > 40.0 + r:
                a[i] = -a[i] / 3.0
    return sum(a)
def conv(k, a, out, rounds):
    for r in range(rounds):
        for i in range(len(a) - 2):
            out[i] = k[0] * a[i] + k[1] * a[i + 1] + k[2] * a[i + 2]
    return out[len(out) // 2]
xs = array.array("d", [float(i % 37) for i in range(400)])
print(bump(xs, 30), xs[:5].tolist())
k = array.array("d", [0.25, 0.5, 0.25])
a = array.array("d", [float(i % 13) for i in range(300)])
b = array.array("d", [0.0] * 300)
print(conv(k, a, b, 5))
c = array.array("d", [0.5, 0.25, 0.125] + [1.0] * 297)
print(conv(c, c, c, 4), sum(c))
