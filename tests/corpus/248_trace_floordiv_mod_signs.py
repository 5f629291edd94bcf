# floor division and modulo with negative operands in a traced loop
def mix(n):
    a = 0
    b = 0
    for i in range(-n, n):
        a += i // 7 + i % 7
        b += (-i) // 3 - (-i) % 3 + i // -5 + i % -5
    return a, b

print(mix(10), mix(500))
