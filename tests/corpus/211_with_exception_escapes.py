# an exception from a hot loop inside with passes through __exit__
class Ctx:
    def __enter__(self):
        print("enter")
    def __exit__(self, t, v, tb):
        print("exit", t.__name__ if t else None, v)
        return False

with Ctx():
    s = 0
    for i in range(300):
        s += 5 // (280 - i)
print(s)
