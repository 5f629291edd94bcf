# f-strings with conversions and format specs
out = []
for i in range(5):
    x = i * 3.14159
    s = "ab" * i
    out.append(f"{i:03d}|{x:8.3f}|{x:.2e}|{s!r}|{s!s:>6}|{i:x}|{i * 1000:,}|{x:+.1%}")
print("\n".join(out))
