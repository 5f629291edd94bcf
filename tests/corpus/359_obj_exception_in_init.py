# an exception raised inside __init__ of a virtual instance, late in a compiled loop
class Ratio:
    def __init__(self, a, b):
        self.a = a
        self.r = a / b

def go(n):
    t = 0.0
    for i in range(n, -1, -1):
        t += Ratio(i, i - 7).r
    return t

try:
    print(go(400))
except ZeroDivisionError as e:
    print("ZeroDivisionError", e)
