# nested format specs computed in the loop
out = []
for width in range(2, 8, 2):
    for prec in (0, 2):
        v = 12.3456 * width
        out.append(f"[{v:{width}.{prec}f}] [{'t':^{width}}] [{width!a:<{width}}]")
print(out)
print(f"{'é'!a} {None!r} {3!s:>4} {{literal}}")
