# calling a non-callable raises TypeError
funcs = [abs, str, len, 5]
n = 0
for f in funcs:
    n += 1
    print(n, f(-3) if f is not len else f("abc"))
