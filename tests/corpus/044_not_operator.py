# not on various objects including ones with __bool__ and __len__
class Falsy:
    def __bool__(self):
        return False

class Empty:
    def __len__(self):
        return 0

out = []
for v in (0, 1, "", "a", Falsy(), Empty(), [], {}, None):
    out.append(not v)
print(out)
