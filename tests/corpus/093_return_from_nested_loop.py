# return from an inner loop unwinds both loops
def pair_sum(xs, target):
    for i in range(len(xs)):
        for j in range(i + 1, len(xs)):
            if xs[i] + xs[j] == target:
                return i, j
    return None

xs = [13, 7, 22, 5, 9, 41, 30, 2]
print(pair_sum(xs, 43), pair_sum(xs, 1000), pair_sum(xs, 9))
