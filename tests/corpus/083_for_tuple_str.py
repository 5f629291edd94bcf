# iterating tuples and strings
vowels = 0
for ch in "the quick brown fox jumps over the lazy dog":
    if ch in "aeiou":
        vowels += 1
total = 0
for t in (3, 1, 4, 1, 5, 9, 2, 6):
    total = total * 10 + t
print(vowels, total)
