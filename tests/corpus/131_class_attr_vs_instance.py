# class attributes shadowed by instance attributes in a loop
class C:
    tag = "class"
    n = 0

objs = [C() for _ in range(4)]
for i, o in enumerate(objs):
    if i % 2:
        o.tag = f"inst{i}"
    o.n += i
    C.n += 1
print([o.tag for o in objs], [o.n for o in objs], C.n)
