# lists of lists: a[i][j] reads and writes, rows aliased, rows swapped in the loop
def relax(grid, n):
    j = 0
    for it in range(3):
        for i in range(1, n - 1):
            up, row, down = grid[i - 1], grid[i], grid[i + 1]
            for j in range(1, n - 1):
                row[j] = (up[j] + down[j] + row[j - 1] + row[j + 1]) * 0.25
    return grid
g = [[float((i * 7 + j * 3) % 11) for j in range(12)] for i in range(12)]
relax(g, 12)
a, b = [1.0, 2.0], [3.0, 4.0]
for k in range(30):
    a, b = b, a
    a[k % 2] += b[0]
print(g[5][:4], sum(map(sum, g)), a, b)
