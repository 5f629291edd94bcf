# additions crossing 2**63 - 1 and -2**63 in a traced while loop
x = 2**63 - 1000
y = -2**63 + 1000
i = 0
while i < 1500:
    x += 1
    y -= 1
    i += 1
print(x, y, x - 2**63, y + 2**63)
