# AttributeError on a method call on None from a hot loop
class Node:
    def __init__(self, v, nxt):
        self.v = v
        self.nxt = nxt

head = None
for i in range(5):
    head = Node(i, head)
n = head
total = 0
while True:
    total += n.v
    n = n.nxt
    print(total, n.v)
