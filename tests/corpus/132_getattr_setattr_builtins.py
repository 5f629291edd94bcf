# getattr/setattr/hasattr with computed names
class R:
    pass

r = R()
for i in range(5):
    setattr(r, "f" + str(i), i * i)
out = []
for i in range(7):
    out.append(getattr(r, "f" + str(i), None))
    out.append(hasattr(r, "f" + str(i)))
print(out)
