# exception chaining: the context is the handled exception
try:
    try:
        for i in range(3):
            if i == 2:
                raise KeyError("first")
    except KeyError:
        for j in range(3):
            if j == 1:
                raise ValueError("second")
except ValueError as e:
    print(repr(e), repr(e.__context__), e.__cause__)
