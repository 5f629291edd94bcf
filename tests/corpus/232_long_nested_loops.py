# nested loops with 40_000 inner iterations in total
count = 0
for a in range(200):
    for b in range(200):
        if (a * b) % 7 == 3:
            count += 1
print(count)
