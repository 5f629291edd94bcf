# recursive functions called from loops
def fact(n):
    if n <= 1:
        return 1
    return n * fact(n - 1)

def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)

out = []
for i in range(15):
    out.append((fact(i), fib(i)))
print(out, fact(30))
