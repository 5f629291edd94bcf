# str indexing and string-int TypeError
s = "hello"
out = ""
for i in range(7):
    out = out + s[i % 5] * i
print(out)
for i in range(3):
    out = out + i
