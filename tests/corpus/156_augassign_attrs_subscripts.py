# augmented assignment on attributes and subscripts evaluates the target once
calls = []
class Box:
    def __init__(self):
        self.v = 0

def pick(i):
    calls.append(i)
    return i % 2

boxes = [Box(), Box()]
nums = [0, 0]
for i in range(10):
    boxes[pick(i)].v += i
    nums[pick(i)] -= i
print([b.v for b in boxes], nums, len(calls))
