# return from inside a for loop in a function
def find(xs, target):
    for i, x in enumerate(xs):
        if x == target:
            return i
    return -1

data = list(range(0, 600, 3))
print(find(data, 300), find(data, 301), find([], 1), find(data, 597))
