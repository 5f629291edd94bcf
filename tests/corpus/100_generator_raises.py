# the generator feeding a loop raises part-way through
def gen():
    yield 1
    yield 2
    raise RuntimeError("generator broke")

acc = 0
for v in gen():
    acc += v
    print(acc)
