# calling methods of a user class inside a loop
class Stack:
    def __init__(self):
        self.items = []
    def push(self, x):
        self.items.append(x)
    def pop(self):
        return self.items.pop()
    def __len__(self):
        return len(self.items)

s = Stack()
for i in range(100):
    s.push(i * i)
total = 0
while len(s) > 50:
    total += s.pop()
print(total, len(s))
