# generator send/close protocol driven from a loop
def running_avg():
    total = 0.0
    count = 0
    avg = None
    while True:
        x = yield avg
        total += x
        count += 1
        avg = total / count

g = running_avg()
next(g)
out = []
for v in [10, 20, 30, 40, 5]:
    out.append(g.send(v))
g.close()
print(out)
