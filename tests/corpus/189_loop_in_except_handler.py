# a hot loop inside an except handler uses the caught exception
try:
    {}["missing"]
except KeyError as err:
    msg = ""
    for i in range(300):
        msg = str(err) + str(i % 3)
    print(msg, type(err).__name__)
print("msg" in globals(), "err" in globals())
