# sieve of Eratosthenes over a big-int bitmask
n = 400
mask = (1 << n) - 4
p = 2
while p * p < n:
    if mask >> p & 1:
        m = p * p
        while m < n:
            mask &= ~(1 << m)
            m += p
    p += 1
primes = []
for i in range(n):
    if mask >> i & 1:
        primes.append(i)
print(len(primes), primes[-5:])
