# nested conditionals in a function loop
def classify(xs):
    out = []
    for x in xs:
        if x > 0:
            if x % 2:
                out.append("odd+")
            else:
                out.append("even+")
        else:
            if x == 0:
                out.append("zero")
            else:
                out.append("neg")
    return out

print(classify(range(-3, 6)))
