# membership in a list that grows while a compiled loop runs
seen = ["a"]
hits = 0
for i in range(1000):
    if "b" in seen:
        hits += 1
    if i == 600:
        seen.append("b")
print(hits)
