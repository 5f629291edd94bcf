# name mangling of private attributes inside a method loop
class Acc:
    def __init__(self):
        self.__total = 0
        self.__n = 0
    def add_all(self, xs):
        for x in xs:
            self.__total += x
            self.__n += 1
        return self.__total / self.__n

a = Acc()
print(a.add_all(range(1, 400)), a._Acc__total, a._Acc__n)
