# a BaseException subclass that is not an Exception
class Halt(BaseException):
    pass

n = 0
try:
    while True:
        n += 1
        if n == 250:
            raise Halt(n)
except Exception:
    print("not reached")
except Halt as h:
    print("halted", h.args)
