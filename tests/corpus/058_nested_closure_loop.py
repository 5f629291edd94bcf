# three levels of nesting, each with a loop
def a(n):
    base = n * 2
    def b(m):
        def c(k):
            t = 0
            for i in range(k):
                t += base + m + i
            return t
        r = 0
        for j in range(m):
            r += c(j)
        return r
    return b(n)

print(a(3), a(10), a(0))
