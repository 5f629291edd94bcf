# augmented assignment on dict items and nested structures
grid = {}
for i in range(200):
    key = (i % 4, i % 3)
    if key not in grid:
        grid[key] = [0, 0]
    grid[key][0] += 1
    grid[key][1] += i
print(sorted(grid.items()))
