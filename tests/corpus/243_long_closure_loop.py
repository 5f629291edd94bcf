# closure reads and 30_000 iterations
def make(step):
    def walk(n):
        pos = 0
        for i in range(n):
            pos = (pos + step) % 1000
        return pos
    return walk

print(make(7)(30_000), make(13)(777))
