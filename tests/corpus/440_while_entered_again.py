# while loops handed to machine code from CPython: a plain test over numbers is evaluated
# again at the header; a test that calls a function must never be (its count would show)
calls = 0
def below(x, limit):
    global calls
    calls += 1
    return x < limit
def run(n):
    i = 0
    s = 0
    x = 1.0
    while i < n and not s < 0:
        s += i * (i % 5)
        i += 1
    while x < n * 1.5:
        x = x * 1.01 + 0.5
    j = 0
    while below(j, n):
        j += 3
    return s, round(x, 6), j
for k in range(6):
    print(run(250 + 40 * k), calls)
total = 0
step = 7
while total < 10000:
    total += step
    step += 1
print(total, step)
