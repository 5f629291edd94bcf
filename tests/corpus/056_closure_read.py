# a closure reads free variables inside its hot loop
def make_adder(k, scale):
    def add_all(xs):
        s = 0
        for x in xs:
            s += x * scale + k
        return s
    return add_all

f = make_adder(10, 3)
print(f(range(50)), f([]), make_adder(-1, 0.5)(range(7)))
