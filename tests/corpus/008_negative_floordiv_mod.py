# floor division and modulo with every sign combination
out = []
for a in range(-7, 8):
    for b in (-3, -2, 2, 3):
        out.append((a // b, a % b, divmod(a, b)))
print(out)
print(-7.5 // 2, -7.5 % 2, 7.5 // -2, 7.5 % -2, -0.0 % 5)
