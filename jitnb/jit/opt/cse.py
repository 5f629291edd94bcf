"""Common subexpression elimination of pure operations (commutative ones normalised).

An overflow-checked op (``int_add_ovf``...) repeated with the same operands is one too: the
first one's ``guard_no_overflow`` passed, so the second gives the same exact result and
cannot overflow; it is dropped with its guard."""
from __future__ import annotations

from ..ir import ops as O
from ..ir.trace import Const, Op, Trace, resolve


def _key(op: Op):
    args = [resolve(a) for a in op.args]
    keys = [("c", a) if isinstance(a, Const) else ("v", id(a)) for a in args]  # Const: by bits
    if op.desc.commutative:
        keys.sort(key=repr)
    return (op.num, tuple(keys), id(op.descr) if op.descr is not None else None)


_OVF = frozenset((O.INT_ADD_OVF, O.INT_SUB_OVF, O.INT_MUL_OVF))


def run(trace: Trace) -> Trace:
    seen: dict = {}
    out: list[Op] = []
    ops = trace.ops
    skip_guard = False
    for k, op in enumerate(ops):
        if skip_guard:
            skip_guard = False
            if op.num == O.GUARD_NO_OVERFLOW:
                continue
        if op.num == O.LABEL:
            seen = {}          # a loop label: nothing before it is visible in the body
        op.args = [resolve(a) for a in op.args]
        if op.snapshot is not None:
            op.snapshot.values = [(n, resolve(v)) for n, v in op.snapshot.values]
        checked = op.num in _OVF and k + 1 < len(ops) and ops[k + 1].num == O.GUARD_NO_OVERFLOW
        if (op.desc.pure and op.kind != "n") or checked:
            key = _key(op)
            if key in seen:
                op.forward = seen[key]
                skip_guard = checked
                continue
            seen[key] = op
        out.append(op)
    return trace.with_ops(out)
