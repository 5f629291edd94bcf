# building strings with + and join
s = ""
for i in range(200):
    s += str(i % 10)
parts = []
for i in range(50):
    parts.append(chr(65 + i % 26))
joined = "".join(parts)
print(len(s), s[:25], joined)
