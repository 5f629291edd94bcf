# private names used from a function nested in a method
class A:
    def __init__(self):
        self.__v = 1
    def m(self, n):
        def inner(k):
            t = 0
            for i in range(k):
                t += self.__v + i
            return t
        return inner(n)

print(A().m(300), A().m(0))
