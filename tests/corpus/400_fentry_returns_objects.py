# hot functions returning None, strings, tuples and bools
def kind(n):
    if n % 15 == 0:
        return "fizzbuzz"
    if n % 3 == 0:
        return None
    return n > 50


def pair(n):
    return (n, n * 2)


def nothing(n):
    n += 1


print([kind(i) for i in range(600)][-16:])
print(sum(pair(i)[1] for i in range(600)), [nothing(i) for i in range(500)][-1])
