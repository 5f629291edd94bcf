"""Common subexpression elimination of pure operations (commutative ones normalised)."""
from __future__ import annotations

from ..ir import ops as O
from ..ir.trace import Const, Op, Trace, resolve


def _key(op: Op):
    args = [resolve(a) for a in op.args]
    keys = [("c", a) if isinstance(a, Const) else ("v", id(a)) for a in args]  # Const: by bits
    if op.desc.commutative:
        keys.sort(key=repr)
    return (op.num, tuple(keys), id(op.descr) if op.descr is not None else None)


def run(trace: Trace) -> Trace:
    seen: dict = {}
    out: list[Op] = []
    for op in trace.ops:
        if op.num == O.LABEL:
            seen = {}          # a loop label: nothing before it is visible in the body
        op.args = [resolve(a) for a in op.args]
        if op.snapshot is not None:
            op.snapshot.values = [(n, resolve(v)) for n, v in op.snapshot.values]
        if op.desc.pure and op.kind != "n":
            k = _key(op)
            if k in seen:
                op.forward = seen[k]
                continue
            seen[k] = op
        out.append(op)
    return trace.with_ops(out)
