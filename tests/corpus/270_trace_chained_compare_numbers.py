# chained comparisons on ints and floats in a traced loop
def f(n):
    inside = 0
    edges = 0
    for i in range(n):
        x = i * 0.1
        if 10 < x <= 40.5 < n:
            inside += 1
        if 5 == i % 50 < 20 > i % 7:
            edges += 1
    return inside, edges

print(f(1000))
