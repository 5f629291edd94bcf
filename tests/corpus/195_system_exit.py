# SystemExit raised from a loop propagates like any exception
import sys
for i in range(5):
    print("step", i)
    if i == 3:
        sys.exit(f"exit at {i}")
