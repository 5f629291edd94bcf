# raise of a custom exception from a loop body
class Stop(Exception):
    pass

acc = []
for i in range(10):
    acc.append(i)
    if len(acc) == 7:
        raise Stop(f"stopped with {acc}")
