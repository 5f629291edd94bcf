# a module-level loop reads globals that never change
SCALE = 3
OFFSET = -2
total = 0
for i in range(500):
    total += SCALE * i + OFFSET
print(total)
