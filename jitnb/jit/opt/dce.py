"""Dead-code elimination: pure ops whose results nothing uses are removed.

Uses are the arguments of the ops that stay, guard snapshots (a failing guard needs
every value it names) and the jumps' arguments.  One backward walk.
"""
from __future__ import annotations

from ..ir.trace import Const, Op, Trace, resolve


def run(trace: Trace) -> Trace:
    used: set[int] = set()
    keep: list[Op] = []
    for op in reversed(trace.ops):
        op.args = [resolve(a) for a in op.args]
        if op.desc.pure and op.kind != "n" and id(op) not in used:
            continue
        for a in op.args:
            if not isinstance(a, Const):
                used.add(id(a))
        if op.snapshot is not None:
            for _, v in op.snapshot.values:
                used.add(id(resolve(v)))
        keep.append(op)
    keep.reverse()
    return trace.with_ops(keep)
