# with statements around and inside loops
class Ctx:
    def __init__(self, log, name):
        self.log, self.name = log, name
    def __enter__(self):
        self.log.append("enter " + self.name)
        return self
    def __exit__(self, *exc):
        self.log.append("exit " + self.name + (" " + exc[0].__name__ if exc[0] else ""))
        return exc[0] is KeyError

log = []
with Ctx(log, "outer"):
    for i in range(200):
        log.append(i) if i % 90 == 0 else None
for i in range(3):
    with Ctx(log, str(i)):
        if i == 1:
            raise KeyError(i)
print(log)
