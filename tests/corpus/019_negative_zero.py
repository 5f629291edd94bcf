# negative zero survives arithmetic
z = 0.0
vals = []
for i in range(4):
    z = -z
    vals.append(z)
    vals.append(z * -1)
print(vals)
print(-0.0 == 0.0, str(-0.0), 0.0 * -1, -0.0 + 0.0, -0.0 - 0.0)
