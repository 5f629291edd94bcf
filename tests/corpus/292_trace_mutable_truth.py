# the truth of a list changes while a traced loop runs
items = []
count = 0
for i in range(1000):
    if items:
        count += 1
    if i == 500:
        items.append(i)
print(count)
