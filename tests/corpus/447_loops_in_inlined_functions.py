# an outer loop calls functions that have loops of their own: the trace inlines them and
# calls their loops' machine code; exits inside them (an early return, a branch the inner
# loop has not seen, an exception) go on in the right frame
from array import array
def dot(a, b, n):
    s = 0.0
    for j in range(n):
        s += a[j] * b[j]
    return s
def first_above(a, limit):
    for j in range(len(a)):
        if a[j] > limit:
            return j            # leaves the inner loop from inside an inlined call
    return -1
def scaled_sum(a, k):
    t = 0
    for x in a:
        t += int(x * k) // (3 - k)    # k == 3: ZeroDivisionError from inside
    return t
a = array("d", [float((i * 7) % 13) for i in range(30)])
b = array("d", [0.5 + (i % 4) for i in range(30)])
total = 0.0
found = []
for r in range(120):
    total += dot(a, b, 10 + r % 20)
    found.append(first_above(a, 6 + r % 9))
print(total, found[-7:], sum(found))
acc = 0
try:
    for k in range(500):
        acc += scaled_sum(a, k % 4 if k > 400 else k % 3)
except ZeroDivisionError as e:
    print("stopped", k, acc, type(e).__name__)
