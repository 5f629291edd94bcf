# one-line loop bodies, including a failing one
s = 0
for i in range(50): s += i
i = 0
while i < 20: i += 3
print(s, i)
for k in range(5): s = s // (3 - k)
print(s)
