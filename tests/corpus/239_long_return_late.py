# return from a loop after 40_000 iterations
def first_square_over(limit):
    n = 0
    while True:
        if n * n > limit:
            return n
        n += 1

print(first_square_over(40_000 ** 2), first_square_over(10))
