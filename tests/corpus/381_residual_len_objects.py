# len() of lists, strings, dicts and tuples inside compiled loops, objects growing
words = ["alpha", "be", "gamma"]
table = {"x": 1}
total = 0
for i in range(800):
    total += len(words) + len(table) + len("xy") + len(words) * len("abc")
    if i % 100 == 0:
        words.append("w" * (i % 13))
        table[i] = i
print(total, len(words), len(table))
def count(seq, n):
    t = 0
    for _ in range(n):
        t += len(seq) + abs(-len(seq))
    return t
print(count("hello", 500), count([1, 2, 3], 400))
