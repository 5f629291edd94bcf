"""Allocation removal: nothing to do at IR level.

Tuples, ranges, iterators and boxed numbers that do not escape never reach the IR:
the recorder keeps them as shadows (Known, RangeIter, VTuple...) and snapshots
rebuild them on a guard failure.  The name stays in the chain as a no-op.
"""
from __future__ import annotations

from ..ir.trace import Trace


def run(trace: Trace) -> Trace:
    return trace
