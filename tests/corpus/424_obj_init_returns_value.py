# __init__ that returns a value on some iteration: TypeError at the call's line
class Odd:
    def __init__(self, v):
        self.v = v
        if v == 333:
            return v

def mk(n):
    t = 0
    for i in range(n):
        t += Odd(i).v
    return t

print(mk(300))
try:
    print(mk(400))
except TypeError as e:
    print("TypeError", e)
