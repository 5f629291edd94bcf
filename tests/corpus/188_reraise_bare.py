# bare raise inside an except handler re-raises the original error
def parse_all(items):
    out = []
    for it in items:
        try:
            out.append(int(it))
        except ValueError:
            if it == "":
                out.append(0)
                continue
            raise
    return out

print(parse_all(["1", "", "3"]))
print(parse_all(["4", "five"]))
