# raise of an expression that continues on the next line
errors = [None, ValueError("second")]
for i in range(3):
    raise (errors[i] or
           KeyError("first"))
