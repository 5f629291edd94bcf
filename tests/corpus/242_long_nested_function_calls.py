# a hot loop calling a function that has its own hot loop
def digits_sum(n):
    s = 0
    while n:
        s += n % 10
        n //= 10
    return s

total = 0
for i in range(10_000):
    total += digits_sum(i)
print(total)
