# return from a while True loop
def first_power_over(base, limit):
    p = 1
    n = 0
    while True:
        if p > limit:
            return n, p
        p *= base
        n += 1

print(first_power_over(2, 10**6), first_power_over(7, 2**70), first_power_over(3, 0))
