# range steps that change from one run of a loop to the next: positive and negative, set
# by an enclosing loop, by a call's argument, and a step that becomes zero (ValueError)
def strided(n, step):
    t = 0
    for i in range(0, n, step):
        t += i * step
    return t
total = 0
for s in range(1, 40):
    for i in range(0, 1000, s):
        total += i
print(total)
down = 0
for s in range(1, 30):
    for i in range(500, -3, -s):
        down += i * s - 1
print(down)
print([strided(300, k) for k in (1, 2, 3, 7, 64, 1000, 5, 1)])
mixed = 0
for s in (3, -3, 4, -1, 2, 9, -9, 1):
    for i in range(-200, 200, s) if s > 0 else range(200, -200, s):
        mixed = mixed * 3 + i & 0xFFFF
print(mixed)
try:
    for s in range(5, -1, -1):
        for i in range(0, 50, s):
            mixed += i
except ValueError as e:
    print("ValueError", e, mixed)
