# bare raise with no active exception is a RuntimeError
def f():
    for i in range(3):
        if i == 1:
            raise
    return "ok"

try:
    f()
except RuntimeError as e:
    print("runtime:", e)
f()
