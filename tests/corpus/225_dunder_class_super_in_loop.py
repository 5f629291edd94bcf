# super() inside a loop in a method (frame-inspecting, outside the subset)
class Base:
    def val(self, i):
        return i

class Child(Base):
    def total(self, n):
        s = 0
        for i in range(n):
            s += super().val(i) * 2
        return s

print(Child().total(300))
