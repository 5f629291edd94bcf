"""The optimiser: one pass per module, chained by name (PyPy's ``enable_opts``).

Every pass takes a trace and returns a new one that does the same with fewer or
cheaper operations; passes never change what a guard's snapshot means.
"""
from __future__ import annotations

import importlib

from ..ir.trace import Trace

PASSES = ("fold", "cse", "guards")


def optimize(trace: Trace, chain: list[str]) -> Trace:
    out = trace.copy()
    for name in chain:
        if name not in PASSES:
            continue  # passes of later stages (intbounds, heap, virtualize, unroll)
        mod = importlib.import_module(f".{name}", __name__)
        out = mod.run(out)
    return out
