# the except-clause name is unbound after the handler; a loop then reads it
def f():
    try:
        raise KeyError(1)
    except KeyError as e:
        pass
    for i in range(3):
        print(e)

f()
