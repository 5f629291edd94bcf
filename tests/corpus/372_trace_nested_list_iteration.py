# nested iteration: rows of a list of lists, tuples of tuples, and an inner loop left early
def total(grid):
    s = 0.0
    for row in grid:
        for x in row:
            if x > 90.0:
                break
            s += x
    return s
g = [[float(i * 7 + j) for j in range(i % 5 + 1)] for i in range(60)]
print(total(g), total(tuple(tuple(r) for r in g)), total([[], [1.0]] * 20))
