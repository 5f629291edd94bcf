# dict get/set/update counting words
text = "a b c a b a d e a c b a"
counts = {}
for w in text.split():
    counts[w] = counts.get(w, 0) + 1
print(counts, sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
