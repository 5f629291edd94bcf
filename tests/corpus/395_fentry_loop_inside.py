# a hot function with a loop, called from cold code
def tri(n):
    s = 0
    for i in range(n):
        if i % 3 == 0:
            s += i * i
        else:
            s -= i
    return s


def stepped(n, k):
    x = 0.0
    i = 0
    while i < n:
        x += i / k
        i += 2
    return x


print([tri(n % 45) for n in range(500)][-5:], sum(tri(n) for n in range(0, 900, 60)))
print([stepped(n, 3) for n in range(0, 600, 50)], sum(stepped(n % 30, 7) for n in range(450)))
