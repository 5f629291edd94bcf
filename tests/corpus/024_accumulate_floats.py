# long floating sum with mixed operations
s = 0.0
p = 1.0
for i in range(1, 2000):
    s += 1.0 / (i * i)
    p *= 1.0 + 1.0 / (i * 1000)
print(s, p)
print((s * 6) ** 0.5)
