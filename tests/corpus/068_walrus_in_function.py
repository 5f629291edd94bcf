# walrus in a function's loop writes a fast local
def f(xs):
    best = None
    for x in xs:
        if best is None or (sq := x * x) > best:
            best = sq if best is not None else x * x
    return best, sq

print(f([3, -5, 2, 7, 1]))
