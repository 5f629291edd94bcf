# try/finally inside a loop with break and continue
log = []
for i in range(6):
    try:
        if i == 1:
            continue
        if i == 4:
            break
        log.append(i)
    finally:
        log.append(f"f{i}")
print(log)
