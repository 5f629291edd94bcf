# an async function with a loop, driven manually
async def agen_sum(n):
    s = 0
    for i in range(n):
        s += i
    return s

coro = agen_sum(300)
try:
    coro.send(None)
except StopIteration as stop:
    print("result", stop.value)
