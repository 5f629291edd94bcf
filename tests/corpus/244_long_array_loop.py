# array.array updated 30_000 times
import array
a = array.array("q", [0] * 100)
for i in range(30_000):
    a[i % 100] += i
print(a[0], a[99], sum(a))
