"""Integer bounds: an interval per int value, and the overflow checks and guards it proves.

Intervals come from constants, the trace's known input bounds (array lengths), the
ops' arithmetic (``and`` with a mask, ``mod`` by a positive number, small array
elements...) and the guards seen so far (after ``guard_true(int_lt(a, b))`` the pass
knows ``a < b``).  With them it

  * turns ``int_add_ovf``/``int_sub_ovf``/``int_mul_ovf`` whose exact result always fits
    in 64 bits into the plain op and drops its ``guard_no_overflow``;
  * drops ``guard_true``/``guard_false``/``guard_value`` the intervals prove.

In a peeled loop the body's label values start from what the preamble proved of the
values the preamble's jump passes in, widened until they also hold for what the body's
own jump passes back (a counter that only grows keeps its lower bound, an invariant
keeps all it had): the assumption is checked, never trusted.
"""
from __future__ import annotations

from ..ir import ops as O
from ..ir.trace import Const, Op, Trace, Value, resolve

MIN, MAX = -(1 << 63), (1 << 63) - 1
FULL = (MIN, MAX)
Bound = tuple[int, int]

_ELEMENT_BOUNDS = {"b": (-128, 127), "B": (0, 255), "h": (-1 << 15, (1 << 15) - 1),
                   "H": (0, (1 << 16) - 1), "i": (-1 << 31, (1 << 31) - 1),
                   "I": (0, (1 << 32) - 1)}
_OVF_PLAIN = {O.INT_ADD_OVF: O.INT_ADD, O.INT_SUB_OVF: O.INT_SUB, O.INT_MUL_OVF: O.INT_MUL}
_CMP = (O.INT_LT, O.INT_GE, O.INT_LE, O.INT_GT, O.INT_EQ, O.INT_NE)


def _fit(lo: int, hi: int) -> Bound | None:
    """The exact interval if it fits in int64 (no wrap-around possible), else None."""
    return (lo, hi) if MIN <= lo and hi <= MAX else None


def _arith(num: int, a: Bound, b: Bound) -> Bound | None:
    """The exact (unwrapped) interval of a + b, a - b, a * b."""
    if num in (O.INT_ADD, O.INT_ADD_OVF):
        return a[0] + b[0], a[1] + b[1]
    if num in (O.INT_SUB, O.INT_SUB_OVF):
        return a[0] - b[1], a[1] - b[0]
    if num in (O.INT_MUL, O.INT_MUL_OVF):
        ps = [x * y for x in a for y in b]
        return min(ps), max(ps)
    return None


def decide(num: int, a: Bound, b: Bound) -> int | None:
    """1 or 0 if the comparison's result follows from the intervals, else None."""
    if num == O.INT_LT:
        return 1 if a[1] < b[0] else 0 if a[0] >= b[1] else None
    if num == O.INT_GE:
        r = decide(O.INT_LT, a, b)
        return None if r is None else 1 - r
    if num == O.INT_GT:
        return decide(O.INT_LT, b, a)
    if num == O.INT_LE:
        r = decide(O.INT_LT, b, a)
        return None if r is None else 1 - r
    if num == O.INT_EQ:
        if a[0] == a[1] == b[0] == b[1]:
            return 1
        return 0 if a[1] < b[0] or b[1] < a[0] else None
    if num == O.INT_NE:
        r = decide(O.INT_EQ, a, b)
        return None if r is None else 1 - r
    return None


def transfer(op: Op, get) -> Bound:
    """The interval of an int op's result from its arguments' intervals."""
    num = op.num
    args = [get(a) for a in op.args] if op.desc.args != "*" else []
    if num in (O.SAME_AS_I,):
        return args[0]
    if num in _CMP or num in (O.FLOAT_LT, O.FLOAT_GE, O.FLOAT_LE, O.FLOAT_GT, O.FLOAT_EQ,
                              O.FLOAT_NE):
        if num in _CMP:
            r = decide(num, args[0], args[1])
            if r is not None:
                return (r, r)
        return (0, 1)
    exact = _arith(num, *args) if len(args) == 2 else None
    if exact is not None:
        if op.desc.overflow:   # holds after its guard_no_overflow
            return max(exact[0], MIN), min(exact[1], MAX)
        return _fit(*exact) or FULL
    if num == O.INT_AND:
        (alo, ahi), (blo, bhi) = args
        if alo >= 0 and blo >= 0:
            return 0, min(ahi, bhi)
        if alo >= 0:
            return 0, ahi
        if blo >= 0:
            return 0, bhi
        return FULL
    if num in (O.INT_OR, O.INT_XOR):
        (alo, ahi), (blo, bhi) = args
        if alo >= 0 and blo >= 0:
            return 0, (1 << max(ahi, bhi).bit_length()) - 1
        return FULL
    if num == O.INT_MOD:
        blo, bhi = args[1]
        if blo > 0:
            return 0, bhi - 1
        if bhi < 0:
            return blo + 1, 0
        return FULL
    if num == O.INT_FLOORDIV:
        (alo, ahi), (blo, bhi) = args
        if blo == bhi and blo > 0:
            return alo // blo, ahi // blo
        return FULL
    if num == O.INT_RSHIFT:
        (alo, ahi), (blo, bhi) = args
        if 0 <= blo == bhi <= 63:
            return alo >> blo, ahi >> blo
        return FULL
    if num == O.INT_NEG:
        lo, hi = args[0]
        return (-hi, -lo) if lo > MIN else FULL
    if num == O.GETARRAYITEM_RAW_I:
        return _ELEMENT_BOUNDS.get(getattr(op.descr, "typecode", op.descr), FULL)
    return FULL


class _Bounds:
    """Intervals by value; a value without one is FULL."""

    def __init__(self) -> None:
        self.of: dict[int, Bound] = {}

    def get(self, v: Value) -> Bound:
        v = resolve(v)
        if isinstance(v, Const):
            return (v.value, v.value) if v.kind == "i" else FULL
        return self.of.get(id(v), FULL)

    def narrow(self, v: Value, lo: int, hi: int) -> None:
        v = resolve(v)
        if isinstance(v, Const) or v.kind != "i":
            return
        olo, ohi = self.get(v)
        lo, hi = max(lo, olo), min(hi, ohi)
        if lo <= hi:      # an empty interval: the guard always fails; learn nothing
            self.of[id(v)] = (lo, hi)

    def proves(self, guard: Op) -> bool:
        """Does the guard always hold?"""
        num = guard.num
        if num in (O.GUARD_TRUE, O.GUARD_FALSE):
            lo, hi = self.get(guard.args[0])
            return lo > 0 or hi < 0 if num == O.GUARD_TRUE else lo == hi == 0
        if num == O.GUARD_VALUE and resolve(guard.args[0]).kind == "i":
            a, b = self.get(guard.args[0]), self.get(guard.args[1])
            return a[0] == a[1] == b[0] == b[1]
        return False

    def learn(self, guard: Op) -> None:
        """What holds after the guard passes."""
        num = guard.num
        if num == O.GUARD_VALUE:
            a, b = guard.args
            self.narrow(a, *self.get(b))
            self.narrow(b, *self.get(a))
            return
        if num not in (O.GUARD_TRUE, O.GUARD_FALSE):
            return
        cond = resolve(guard.args[0])
        if num == O.GUARD_FALSE:
            self.narrow(cond, 0, 0)
        elif self.get(cond)[0] >= 0:
            self.narrow(cond, 1, MAX)
        if not isinstance(cond, Op) or cond.num not in _CMP:
            return
        rel = cond.num if num == O.GUARD_TRUE else O.invert_comparison(cond.num)
        a, b = cond.args
        if rel in (O.INT_GT, O.INT_GE):
            rel, a, b = O.swap_comparison(rel), b, a
        (alo, ahi), (blo, bhi) = self.get(a), self.get(b)
        if rel == O.INT_LT:
            self.narrow(a, MIN, bhi - 1)
            self.narrow(b, alo + 1, MAX)
        elif rel == O.INT_LE:
            self.narrow(a, MIN, bhi)
            self.narrow(b, alo, MAX)
        elif rel == O.INT_EQ:
            self.narrow(a, blo, bhi)
            self.narrow(b, alo, ahi)
        elif rel == O.INT_NE:
            for x, (lo, hi) in ((a, (blo, bhi)), (b, (alo, ahi))):
                if lo == hi:
                    xlo, xhi = self.get(x)
                    if xlo == lo:
                        self.narrow(x, lo + 1, MAX)
                    elif xhi == lo:
                        self.narrow(x, MIN, lo - 1)


def _walk(ops: list[Op], bounds: _Bounds, rewrite: bool) -> list[Op]:
    """One forward walk over straight-line ops (no label among them)."""
    out: list[Op] = []
    drop_guard = False
    for op in ops:
        num = op.num
        if drop_guard:
            drop_guard = False
            if num == O.GUARD_NO_OVERFLOW:
                continue
        if O.is_guard(num):
            if rewrite and bounds.proves(op):
                continue
            bounds.learn(op)
            out.append(op)
            continue
        if op.kind == "i":
            b = transfer(op, bounds.get)
            if op.desc.overflow and rewrite:
                exact = _arith(num, *[bounds.get(a) for a in op.args])
                if _fit(*exact) is not None and num in _OVF_PLAIN:
                    op.num = _OVF_PLAIN[num]
                    drop_guard = True
            if b != FULL:
                bounds.of[id(op)] = b
        out.append(op)
    return out


def _at_jump(bounds: _Bounds, v: Value) -> Bound:
    """A jump argument's interval, recomputed from its arguments' intervals at the jump
    (guards after its definition may have narrowed them)."""
    b = bounds.get(v)
    v = resolve(v)
    if isinstance(v, Op) and v.kind == "i":
        lo, hi = transfer(v, bounds.get)
        b = max(b[0], lo), min(b[1], hi)
    return b


def _widen(assumed: Bound, got: Bound) -> Bound:
    lo = assumed[0] if got[0] >= assumed[0] else MIN
    hi = assumed[1] if got[1] <= assumed[1] else MAX
    return lo, hi


def run(trace: Trace) -> Trace:
    ops = trace.ops
    for op in ops:
        op.args = [resolve(a) for a in op.args]
    bounds = _Bounds()
    for k, (lo, hi) in trace.input_bounds.items():
        bounds.narrow(trace.inputs[k], lo, hi)
    mid = trace.loop_index()
    if not mid:
        return trace.with_ops([ops[0]] + _walk(ops[1:], bounds, True))
    pre = [ops[0]] + _walk(ops[1:mid], bounds, True)
    label, body = ops[mid], ops[mid + 1:]
    entry = [_at_jump(bounds, a) for a in ops[mid - 1].args]      # the preamble's jump
    assumed = [b if a.kind == "i" else FULL for a, b in zip(label.args, entry)]
    for _ in range(2 * len(assumed) + 2):
        trial = _Bounds()
        for v, b in zip(label.args, assumed):
            trial.narrow(v, *b)
        _walk(body, trial, False)
        back = [_at_jump(trial, a) for a in body[-1].args]
        widened = [_widen(a, g) for a, g in zip(assumed, back)]
        if widened == assumed:
            break
        assumed = widened
    else:
        assumed = [FULL] * len(label.args)
    body_bounds = _Bounds()
    for v, b in zip(label.args, assumed):
        body_bounds.narrow(v, *b)
    return trace.with_ops(pre + [label] + _walk(body, body_bounds, True))
