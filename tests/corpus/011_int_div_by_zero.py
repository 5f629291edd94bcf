# integer floor division by zero inside a while loop
n = 100
d = 4
while True:
    n = n // d
    print(n, d)
    d -= 1
