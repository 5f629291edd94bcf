# the loop variable stays unbound when the loop never runs
def f(n):
    for i in range(n):
        pass
    return i

print(f(3))
print(f(0))
