"""A tiny workload to check the runner end to end (used by tests/test_bench_smoke.py)."""
from __future__ import annotations

from ..runner import Suite, Workload

SOURCE = '''\
def square(x):
    return x * x

total = 0
for i in range(50):
    total += square(i)
label = f"total={total}"
'''


def suite() -> Suite:
    return Suite("smoke", "one tiny cell, for checking the runner", [
        Workload("tiny", SOURCE, ("cpython", "jitnb", "cpython-exec", "jitnb-exec",
                                  "ipython", "ipython-jit"),
                 description="a 50-iteration loop calling a small function", expect_cold=True),
    ])
