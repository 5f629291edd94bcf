# matrix multiplication with three nested loops in a function
def matmul(a, b):
    n, m, p = len(a), len(b), len(b[0])
    c = [[0] * p for _ in range(n)]
    for i in range(n):
        for j in range(p):
            s = 0
            for k in range(m):
                s += a[i][k] * b[k][j]
            c[i][j] = s
    return c

a = [[i + j for j in range(6)] for i in range(5)]
b = [[i * j - 3 for j in range(4)] for i in range(6)]
print(matmul(a, b))
