# locals() and vars() inside a loop body (outside the subset)
def f():
    a = 1
    snapshots = []
    for i in range(3):
        snapshots.append(sorted(locals()))
    return snapshots

print(f())
