"""Constant folding and algebraic identities (x+0, x*1, x-x ...) on pure operations."""
from __future__ import annotations

from ..ir import interp as R
from ..ir import ops as O
from ..ir.trace import Const, Op, Trace, resolve

_IDENTITY_RIGHT = {O.INT_ADD: 0, O.INT_SUB: 0, O.INT_MUL: 1, O.INT_OR: 0, O.INT_XOR: 0,
                   O.INT_LSHIFT: 0, O.INT_RSHIFT: 0, O.INT_ADD_OVF: 0, O.INT_SUB_OVF: 0,
                   O.INT_MUL_OVF: 1, O.INT_FLOORDIV: 1}


def run(trace: Trace) -> Trace:
    out: list[Op] = []
    drop_next_guard = False
    for op in trace.ops:
        op.args = [resolve(a) for a in op.args]
        if op.snapshot is not None:
            op.snapshot.values = [(n, resolve(v)) for n, v in op.snapshot.values]
        if drop_next_guard and op.num == O.GUARD_NO_OVERFLOW:
            drop_next_guard = False
            continue
        drop_next_guard = False
        desc = op.desc
        if (desc.pure or desc.overflow) and not desc.is_call and op.args and \
                all(isinstance(a, Const) for a in op.args):
            vals = [a.value for a in op.args]
            if desc.overflow:
                r = R.OVF[op.num](*vals)
                if R.fits(r):
                    op.forward = Const(r)
                    drop_next_guard = True
                    continue
            elif op.num not in (O.INT_FLOORDIV, O.INT_MOD) or vals[1] != 0:
                op.forward = Const(R.evaluate(op.num, vals), op.kind)
                continue
        right = _IDENTITY_RIGHT.get(op.num)
        if right is not None and isinstance(op.args[1], Const) and op.args[1].value == right:
            op.forward = op.args[0]
            drop_next_guard = desc.overflow
            continue
        if op.num in (O.GUARD_TRUE, O.GUARD_FALSE) and isinstance(op.args[0], Const):
            if bool(op.args[0].value) == (op.num == O.GUARD_TRUE):
                continue  # always holds
        out.append(op)
    return trace.with_ops(out)
