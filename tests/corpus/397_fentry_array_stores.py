# a hot function writes into an array passed to it; the caller sees every store
import array


def bump(a, i, x):
    a[i] = a[i] * 0.5 + x
    return a[i] > 10.0


buf = array.array("d", [1.0] * 16)
flags = [bump(buf, i % 16, i / 7) for i in range(800)]
print(flags.count(True), [round(v, 6) for v in buf[:4]])


def inc(a, i):
    a[i] += i
    return a[i]


ints = array.array("i", range(8))
print(sum(inc(ints, i % 8) for i in range(600)), list(ints))
