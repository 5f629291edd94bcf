# objects held in attributes of objects: body.pos.x read and written through two levels
class Pos:
    def __init__(self, x, y):
        self.x = x
        self.y = y

class Body:
    def __init__(self):
        self.pos = Pos(0.0, 1.0)
        self.vel = Pos(0.5, -0.25)

def move(b, n):
    for i in range(n):
        b.pos.x += b.vel.x
        b.pos.y += b.vel.y
        if b.pos.y < 0:
            b.vel.y = -b.vel.y
    return b.pos.x, b.pos.y, b.vel.y

b = Body()
print(move(b, 400), move(b, 50))
