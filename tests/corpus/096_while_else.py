# while-else with and without break
i = 0
while i < 5:
    i += 1
else:
    print("completed", i)
while i < 100:
    i += 7
    if i > 30:
        break
else:
    print("never")
print(i)
