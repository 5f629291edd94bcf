# keyword arguments named like parameters, including self
def f(self, other=0):
    return self - other

t = 0
for i in range(300):
    t += f(self=i, other=1) + f(i, other=2) + f(other=i, self=3)
print(t)
