# __iadd__ mutates in place, __add__ returns a new object
class Bag:
    def __init__(self):
        self.items = []
    def __iadd__(self, x):
        self.items.append(x)
        return self
    def __add__(self, x):
        b = Bag()
        b.items = self.items + [x]
        return b

b = Bag()
alias = b
for i in range(5):
    b += i
c = b + 99
print(b is alias, alias.items, c.items, c is b)
