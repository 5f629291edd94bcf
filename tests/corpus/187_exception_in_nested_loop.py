# the exception happens in the inner loop of a nested pair
grid = [[1, 2, 3], [4, 5], [6, 7, 8]]
total = 0
for r in range(3):
    for c in range(3):
        total += grid[r][c]
        print(r, c, total)
