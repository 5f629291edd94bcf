# for-else runs only when the loop was not broken (outside the subset)
def search(xs, t):
    for x in xs:
        if x == t:
            print("found", t)
            break
    else:
        print("missing", t)

for t in (3, 10):
    search(range(8), t)
