# method calls on builtin objects
words = []
for w in "Alpha beta GAMMA delta".split():
    words.append(w.lower().capitalize())
text = ", ".join(words)
print(text, text.upper(), text.find("Gamma"), text.replace("a", "4"))
xs = []
for i in range(6):
    xs.insert(0, i)
print(xs, xs.index(3), xs.count(0))
