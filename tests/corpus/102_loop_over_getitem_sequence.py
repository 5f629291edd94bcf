# old-style iteration protocol via __getitem__
class Seq:
    def __getitem__(self, i):
        if i >= 6:
            raise IndexError(i)
        return i * 10

out = []
for v in Seq():
    out.append(v)
print(out)
