# an import statement inside a loop
total = 0.0
for i in range(300):
    import math
    total += math.sqrt(i)
print(round(total, 6))
