# sorting with key functions and stability
people = [("ann", 31), ("bob", 22), ("cy", 31), ("di", 22), ("ed", 40)]
by_age = sorted(people, key=lambda p: p[1])
by_age_desc = sorted(people, key=lambda p: -p[1])
names = []
for name, age in by_age:
    names.append(name)
xs = list(range(20))
xs.sort(key=lambda v: (v % 3, -v))
print(names, by_age_desc, xs)
