# a loop directly in a class body (stays with CPython)
class Table:
    squares = {}
    for i in range(10):
        squares[i] = i * i
    total = 0
    while total < 20:
        total += 3

print(Table.squares, Table.total, Table.i)
