# a bound method stored in a local and called repeatedly
def build(n):
    out = []
    push = out.append
    for i in range(n):
        push(i % 4)
    return out

r = build(300)
print(len(r), r[:10], sum(r))
