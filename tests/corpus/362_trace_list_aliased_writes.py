# aliasing: two names of one list, element writes by the interpreter seen by reads
a = [float(i) for i in range(50)]
b = a
s = 0.0
for i in range(50):
    b[(i * 7) % 50] = i * 2.0
    s += a[i] - a[-1 - i]
print(s, a[:5])
