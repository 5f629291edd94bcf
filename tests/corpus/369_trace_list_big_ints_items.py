# int items beyond one and two 30-bit digits, negative ones, and overflow of the sum
xs = [2**29, -(2**29), 2**30, -(2**30), 2**59, -(2**59), 2**60, 2**62, -(2**63), 7] * 6
s = 0
big = 0
for i in range(len(xs)):
    s += xs[i] // 3
    big += xs[i] * 4
print(s, big)
