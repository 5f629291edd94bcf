# an attribute the compiled loop reads is deleted before the next run
class Box:
    def __init__(self):
        self.v = 1
        self.w = 2

def bump(b, n):
    for i in range(n):
        b.v = b.v + b.w
    return b.v

b = Box()
print(bump(b, 300))
del b.w
try:
    print(bump(b, 300))
except AttributeError as e:
    print("AttributeError", e)
b.w = 0.5
print(bump(b, 300), vars(b))
