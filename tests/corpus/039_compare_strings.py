# lexicographic string comparisons
words = ["apple", "Apple", "banana", "app", "", "b"]
out = []
for a in words:
    for b in words:
        if a < b:
            out.append(a + "<" + b)
print(len(out), out[:10])
print("abc" < "abd" <= "abd" != "abe")
