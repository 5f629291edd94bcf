# short-circuit skips the right operand entirely
log = []
def t(name, value):
    log.append(name)
    return value

for i in range(4):
    r = t("a", i % 2) and t("b", i) or t("c", -i)
    log.append(r)
print(log)
