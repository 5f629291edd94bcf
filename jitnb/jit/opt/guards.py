"""Removal of repeated guards: a guard on a value already guarded the same way is dropped."""
from __future__ import annotations

from ..ir import ops as O
from ..ir.trace import Op, Trace, resolve


def run(trace: Trace) -> Trace:
    known: set = set()
    out: list[Op] = []
    for op in trace.ops:
        if op.num == O.LABEL:
            known = set()      # a loop label: nothing before it is visible in the body
        op.args = [resolve(a) for a in op.args]
        if op.num in (O.GUARD_TRUE, O.GUARD_FALSE):
            key = (op.num, id(op.args[0]))
            if key in known:
                continue
            known.add(key)
        out.append(op)
    return trace.with_ops(out)
