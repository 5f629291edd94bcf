# dict methods: setdefault, pop, update, items order
d = {}
for i in range(30):
    d.setdefault(i % 5, []).append(i)
popped = d.pop(3)
d.update({10: "ten"}, eleven=11)
keys = []
for k, v in d.items():
    keys.append(k)
print(keys, popped, d.get(99, "none"), len(d))
