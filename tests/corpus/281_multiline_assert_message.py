# a failing assert whose message continues on the next line
total = 0
for i in range(400):
    total += i
    assert i < 300, (
        f"i reached {i}")
print(total)
