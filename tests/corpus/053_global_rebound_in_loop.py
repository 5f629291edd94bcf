# a global is rebound inside the loop and read back in the same iteration
counter = 0
history = []
for i in range(20):
    counter = counter + i
    history.append(counter)
    if counter > 50:
        counter = 0
print(counter, history)
