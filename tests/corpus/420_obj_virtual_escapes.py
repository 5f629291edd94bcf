# virtual instances escaping: into a list, a global, an object from outside the loop
class Item:
    def __init__(self, k):
        self.k = k

class Holder:
    def __init__(self):
        self.last = None

out = []
h = Holder()
def run(n):
    global keep
    for i in range(n):
        it = Item(i)
        out.append(it)
        keep = Item(-i)
        h.last = Item(2 * i)
    return len(out)

print(run(300), out[5].k, keep.k, h.last.k)
