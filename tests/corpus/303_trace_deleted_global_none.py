# a global holding None is deleted while a compiled loop keeps reading it
flag = None

def clear():
    global flag
    del flag

count = 0
for i in range(1000):
    if flag is None:
        count += 1
    if i == 500:
        clear()
print(count)
