# random.random() and random.randint() called from compiled loops
import random
random.seed(1234)
s = 0.0
for i in range(2000):
    s += random.random()
print(s)
def dice(n):
    hits = 0
    for _ in range(n):
        if random.randint(1, 6) == 6:
            hits += 1
    return hits
print(dice(3000), random.random())
