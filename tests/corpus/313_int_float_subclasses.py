# subclasses of int and float flow through hot arithmetic loops
class MyInt(int):
    def __add__(self, o):
        return MyInt(int(self) + int(o) + 100)

class F(float):
    pass

x = MyInt(1)
s = 0.0
f = F(1.5)
for i in range(300):
    x = x + 1
    s = s + f
print(x, type(x).__name__, s, type(s).__name__)
