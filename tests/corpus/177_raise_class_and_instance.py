# raising a class, an instance and a non-exception
def thrower(kind):
    for i in range(3):
        if i == 2 and kind == 0:
            raise KeyError
        if i == 2 and kind == 1:
            raise KeyError("with message", 2)
        if i == 2 and kind == 2:
            raise 42
    return kind

for k in range(3):
    try:
        thrower(k)
    except BaseException as e:
        print(type(e).__name__, e.args, str(e))
