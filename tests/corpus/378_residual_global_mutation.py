# a callee writes a global the loop reads and writes too
import functools
level = 3
hist = 0
def bump_(k):
    global level
    level = level * 2 % 1001 + k
    return level % 7
bump = functools.partial(bump_)
for i in range(700):
    level += 1
    hist += bump(i % 5) + level
print(level, hist)
def shift_(x):
    global level
    level = x * 0.5 if x == 400 else level + 1
    return x
shift = functools.partial(shift_)
for i in range(600):
    hist += shift(i) + level
print(level, hist)
