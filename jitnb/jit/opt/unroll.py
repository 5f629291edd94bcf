"""Loop peeling with loop-invariant code motion (Ardö, Bolz, Fijałkowski, DLS 2012).

    label(inputs)  preamble: the loop's trace, one iteration, as optimised so far
    jump(state..., invariants...)                 falls into the loop label
    label(state..., invariants...)  body: a second copy of the trace, in which
        pure ops and overflow ops whose arguments are all loop-invariant are not
        computed again: their preamble result is passed in as an extra label value;
        guards on loop-invariant values are dropped (the preamble checked them)
    jump(state'..., invariants...)                back to the loop label

An input is loop-invariant when the jump passes it back unchanged; a value computed
from invariants only is invariant too, and so is a load from an invariant place that no
store of the loop may write (``heap``'s aliasing rule; a ``call_loop`` may write anything).
Two invariant array buffers (``Trace.buffers``) are the same array or do not overlap:
a load stored to only through another one is hoisted behind a preamble guard that the two
differ, resuming where the trace's first guard does (only if nothing before that guard has
an effect).  The loop label's first values are the trace's inputs in their order (the
loop's state at its header, what an interrupt writes back); the carried invariants follow.  Entering the loop (from the interpreter or a bridge)
goes through the preamble.  The passes before ``unroll`` in the chain then run again
over the peeled trace, so the body is optimised with what the preamble proved.
"""
from __future__ import annotations

from ..ir import ops as O
from ..ir.interp import HEADER
from ..ir.trace import Const, Input, Op, Trace, Value, resolve
from . import heap

_INVARIANT_GUARDS = (O.GUARD_TRUE, O.GUARD_FALSE, O.GUARD_VALUE)


def run(trace: Trace) -> Trace:
    ops = trace.ops
    if ops[-1].num != O.JUMP or trace.loop_index():
        return trace
    jump = ops[-1]
    n = len(trace.inputs)
    label_args: list[Input] = [Input(v.kind, k) for k, v in enumerate(trace.inputs)]
    m: dict[int, Value] = {id(v): a for v, a in zip(trace.inputs, label_args)}
    invariant = {id(label_args[k]) for k, v in enumerate(trace.inputs)
                 if resolve(jump.args[k]) is v}
    # memory the loop never writes: loads from invariant places there are invariant too
    stores = [heap.location(op) for op in ops if heap.LOCATIONS.get(op.num, (False,))[0]]
    opaque = any(op.num in heap.OPAQUE for op in ops)
    # invariant array buffers: different ones never overlap, so a guard that they differ
    # (in the preamble, resuming as the first guard does) proves their elements apart
    buffers = {id(trace.inputs[k]): trace.inputs[k] for k in trace.buffers
               if id(label_args[k]) in invariant}
    first = next((i for i, op in enumerate(ops) if O.is_guard(op.num)), 0)
    quiet_start = first > 0 and all(
        not heap.LOCATIONS.get(op.num, (False,))[0] and op.num not in heap.OPAQUE
        for op in ops[1:first])
    distinct: dict[frozenset, tuple] = {}

    def unwritten(op: Op) -> bool:
        """Can no store of the loop change what the load `op` reads (given guards)?"""
        if opaque:
            return False
        loc = heap.location(op)
        need = set()
        for st in stores:
            if heap.apart(loc, st):
                continue
            if not (quiet_start and loc[0] != st[0] and loc[0] in buffers and st[0] in buffers):
                return False
            need.add(frozenset((loc[0], st[0])))
        for pair in need:
            distinct.setdefault(pair, tuple(buffers[k] for k in pair))
        return True

    carried: list[Op] = []          # preamble values passed in as extra label values
    hoisted, dropped = [], []

    def get(v: Value) -> Value:
        v = resolve(v)
        return v if isinstance(v, Const) else m[id(v)]

    body: list[Op] = []
    skip_ovf_guard = False
    for pos in range(1, len(ops) - 1):
        op = ops[pos]
        if skip_ovf_guard:
            skip_ovf_guard = False
            if op.num == O.GUARD_NO_OVERFLOW:
                continue
        args = [get(a) for a in op.args]
        inv = all(isinstance(a, Const) or id(a) in invariant for a in args)
        desc = op.desc
        hoistable = desc.pure or (desc.overflow and ops[pos + 1].num == O.GUARD_NO_OVERFLOW)
        if inv and op.num in heap.LOCATIONS and not heap.LOCATIONS[op.num][0]:
            hoistable = unwritten(op)
        if inv and args and op.kind != "n" and hoistable:
            extra = Input(op.kind, n + len(carried))
            label_args.append(extra)
            carried.append(op)
            m[id(op)] = extra
            invariant.add(id(extra))
            hoisted.append(op)
            skip_ovf_guard = desc.overflow
            continue
        if inv and op.num in _INVARIANT_GUARDS:
            dropped.append(op)
            continue
        snap = None
        if op.snapshot is not None:
            s = op.snapshot
            snap = s.with_values([(name, get(v)) for name, v in s.values])
        new = Op(op.num, args, snap, op.descr, op.line)
        m[id(op)] = new
        body.append(new)
    # carry only what the body reads (an invariant guard's condition usually is not)
    state = [get(a) for a in jump.args]
    used = {id(a) for op in body for a in op.args} | {id(a) for a in state}
    used |= {id(resolve(v)) for op in body if op.snapshot is not None
             for _, v in op.snapshot.values}
    keep = [k for k, extra in enumerate(label_args[n:]) if id(extra) in used]
    carried = [carried[k] for k in keep]
    label_args = label_args[:n] + [label_args[n + k] for k in keep]
    for k, extra in enumerate(label_args):
        extra.index = k
    checks: list[Op] = []
    for x, y in distinct.values():
        g = ops[first]
        snap = g.snapshot.with_values(list(g.snapshot.values))
        ne = Op(O.INT_NE, [x, y], line=g.line)
        checks += [ne, Op(O.GUARD_TRUE, [ne], snap, HEADER, line=g.line)]
    pre_jump = Op(O.JUMP, list(jump.args) + carried, line=jump.line)
    loop_label = Op(O.LABEL, label_args, line=ops[0].line)
    back = Op(O.JUMP, state + label_args[n:], line=jump.line)
    inputs = {id(v) for v in trace.inputs}
    at = first if not checks or any(       # first thing, unless the snapshot needs more
        not isinstance(resolve(v), Const) and id(resolve(v)) not in inputs
        for _, v in ops[first].snapshot.values) else 1
    out = trace.with_ops(ops[:at] + checks + ops[at:-1] + [pre_jump, loop_label]
                         + body + [back])
    out.notes = [f"peeled: preamble {len(ops) - 1} ops, loop body {len(body) + 2} ops, "
                 f"{len(carried)} invariant value(s) carried into the loop label"]
    out.notes += [("hoisted out of the loop", op) for op in hoisted]
    out.notes += [("guard on invariants, kept in the preamble only", op) for op in dropped]
    out.notes += [("arrays told apart in the preamble", op) for op in checks[1::2]]
    return out
