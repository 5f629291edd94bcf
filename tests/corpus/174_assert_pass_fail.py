# asserts that pass many times and then fail with a message
total = 0
for i in range(400):
    total += i
    assert total >= 0, "never"
    assert i < 350, f"i reached {i} (total {total})"
print(total)
