# locals unbound where a loop starts: bound by its first iteration (then loop inputs),
# left alone by it (kept as the frame has them), or bound only by a rare branch (a bridge)
def later(n):
    total = 0
    for i in range(n):
        if i > 0:
            total += last * 2     # the previous iteration's value
        last = i % 7
        sq = last * last
    return total, last, sq
def untouched(n, rounds):
    out = []
    for r in range(rounds):
        for b in range(0, n, 1 + r % 3):     # `k` is unbound on the first round only
            out.append(b) if b == n - 1 else None
        for k in range(r):
            pass
        out.append(k if r else -1)
    return out[-6:], len(out)
def rare(n):
    s = 0
    for i in range(n):
        s += i
        if i == n - 3:
            late = s          # bound once, near the end
    return s, late
def kept(n):
    q = 2
    t = 0.0
    for i in range(n):       # q is bound (2) and never touched here
        t += i * 0.5
        if i % 97 == 0:
            t -= 1.0
    return t, q
print(later(500), later(1))
print(untouched(40, 30))
print(rare(400), rare(5))
print(kept(1000))
for n in (3, 300):
    print(later(n), rare(n))
