"""SIGINT (the Jupyter stop button) stops compiled loops quickly, with a consistent state."""
import os
import signal
import threading
import time

import pytest

import jitnb

LONG = """
def work(n):
    s = 0
    i = 0
    while i < n:
        s += i & 7
        i += 1
    return s
"""


def _interrupt_after(seconds):
    box = {}

    def fire():
        box["t"] = time.perf_counter()
        os.kill(os.getpid(), signal.SIGINT)
    t = threading.Timer(seconds, fire)
    t.start()
    return box


@pytest.mark.parametrize("params", [{}, {"emulate": True}])
def test_sigint_stops_a_compiled_loop_with_state_saved(params):
    ns: dict = {}
    jitnb.run(LONG, ns, threshold=10, **params)
    ns["work"](1000)  # compiled now
    src = "s = 0\ni = 0\nwhile i < 10**12:\n    s += i & 7\n    i += 1\n"
    g: dict = {}
    box = _interrupt_after(0.3)
    with pytest.raises(KeyboardInterrupt):
        jitnb.run(src, g, threshold=10, **params)
    latency = time.perf_counter() - box["t"]
    i, s = g["i"], g["s"]
    assert i > 1000
    assert s == sum(k & 7 for k in range(i)) if i < 200000 else s == (i // 8) * 28 + sum(range(i % 8))
    print(f"interrupt latency {latency * 1000:.1f} ms, {i} iterations")
    assert latency < 0.1, latency
