# AttributeError on a missing attribute inside a loop
class Obj:
    pass

objs = [Obj(), Obj(), Obj()]
for i, o in enumerate(objs):
    o.value = i
del objs[1].value
total = 0
for o in objs:
    total += o.value
    print(total)
