# int(), float(), str() and bool() conversions
out = []
for s in ("12", "-7", "0x1f", "3.5"):
    try:
        out.append(int(s))
    except ValueError as e:
        out.append(str(e))
print(out)
for i in range(5):
    print(int(i * 2.7), float(i), str(i * 11), bool(i - 2), int("101", 2))
