# an operator dunder that returns NotImplemented for some operands: TypeError as in CPython
class Money:
    def __init__(self, c):
        self.c = c
    def __add__(self, o):
        if o.c < 0:
            return NotImplemented
        return Money(self.c + o.c)

def total(n):
    m = Money(0)
    for i in range(n, -5, -1):
        m = m + Money(i - 3 if i < 2 else i)
    return m.c

try:
    print(total(300))
except TypeError as e:
    print("TypeError", e)
