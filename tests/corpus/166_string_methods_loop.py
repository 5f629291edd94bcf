# string methods in a hot loop
text = "The Quick brown fox, jumps over: the lazy DOG!"
out = []
for w in text.split():
    w = w.strip(",:!").lower()
    if w.startswith("t") or w.endswith("s"):
        out.append(w.upper())
    else:
        out.append(w[::-1])
print(" ".join(out), text.count("o"), text.title())
