"""Reference IR interpreter: runs any trace; the oracle for the optimiser and the backends.

Integers are int64 (plain ops wrap, ``_ovf`` ops set the overflow flag read by the
next guard), floats are IEEE doubles computed by CPython.  ``run`` loops through
``jump`` until a guard fails and returns that guard with the values of its snapshot.
``header_exit`` is the oracle for guards an optimiser adds at the loop header.
"""
from __future__ import annotations

import ctypes
import math
import struct
from dataclasses import dataclass
from typing import Any, Callable

from . import ops as O
from .trace import Const, Op, Trace, Value, resolve

MASK = (1 << 64) - 1


def wrap(v: int) -> int:
    v &= MASK
    return v - (1 << 64) if v >> 63 else v


def fits(v: int) -> bool:
    return -(1 << 63) <= v < (1 << 63)


def _floordiv(a: int, b: int) -> int:
    return wrap(a // b)


def _mod(a: int, b: int) -> int:
    return a % b


def _rshift(a: int, b: int) -> int:
    return a >> min(b, 63)


def _lshift(a: int, b: int) -> int:
    return wrap(a << (b & 63))


def _float_to_int(f: float) -> int:
    return int(f) if math.isfinite(f) and fits(int(f)) else -(1 << 63)


PURE: dict[int, Callable] = {
    O.SAME_AS_I: lambda a: a, O.SAME_AS_F: lambda a: a,
    O.INT_ADD: lambda a, b: wrap(a + b), O.INT_SUB: lambda a, b: wrap(a - b),
    O.INT_MUL: lambda a, b: wrap(a * b), O.INT_FLOORDIV: _floordiv, O.INT_MOD: _mod,
    O.INT_AND: lambda a, b: a & b, O.INT_OR: lambda a, b: a | b, O.INT_XOR: lambda a, b: a ^ b,
    O.INT_LSHIFT: _lshift, O.INT_RSHIFT: _rshift,
    O.INT_NEG: lambda a: wrap(-a), O.INT_INVERT: lambda a: ~a,
    O.INT_LT: lambda a, b: int(a < b), O.INT_GE: lambda a, b: int(a >= b),
    O.INT_LE: lambda a, b: int(a <= b), O.INT_GT: lambda a, b: int(a > b),
    O.INT_EQ: lambda a, b: int(a == b), O.INT_NE: lambda a, b: int(a != b),
    O.FLOAT_LT: lambda a, b: int(a < b), O.FLOAT_GE: lambda a, b: int(a >= b),
    O.FLOAT_LE: lambda a, b: int(a <= b), O.FLOAT_GT: lambda a, b: int(a > b),
    O.FLOAT_EQ: lambda a, b: int(a == b), O.FLOAT_NE: lambda a, b: int(a != b),
    O.FLOAT_ADD: lambda a, b: a + b, O.FLOAT_SUB: lambda a, b: a - b,
    O.FLOAT_MUL: lambda a, b: a * b, O.FLOAT_TRUEDIV: lambda a, b: a / b,
    O.FLOAT_NEG: lambda a: -a, O.FLOAT_ABS: abs,
    O.FLOAT_SQRT: lambda a: math.sqrt(a) if a >= 0 else math.nan,
    O.CAST_INT_TO_FLOAT: float, O.CAST_FLOAT_TO_INT: _float_to_int,
}
OVF: dict[int, Callable] = {
    O.INT_ADD_OVF: lambda a, b: a + b, O.INT_SUB_OVF: lambda a, b: a - b,
    O.INT_MUL_OVF: lambda a, b: a * b,
}


@dataclass
class Exit:
    guard: Op
    index: int                      # position among the trace's guards
    values: dict[str, Any]          # snapshot name -> value
    iterations: int


ELEMENT = {c: struct.calcsize(c) for c in "bBhHiIlLqQfd"}


def raw_load(descr: str, base: int, index: int):
    """The element as the machine loads it: ints sign- or zero-extended to int64 (so an
    unsigned 64-bit value wraps), float32 widened to double."""
    size = ELEMENT[descr]
    v = struct.unpack(descr, ctypes.string_at(base + index * size, size))[0]  # native sizes
    return v if descr in "fd" else wrap(v)


def raw_store(descr: str, base: int, index: int, value) -> None:
    """Store as the machine does: ints truncated to the element, doubles rounded to float32
    by C conversion (out of range becomes inf)."""
    size = ELEMENT[descr]
    if descr == "f":
        data = bytes(ctypes.c_float(value))
    elif descr == "d":
        data = struct.pack("d", value)
    else:
        data = struct.pack(descr.upper(), value & ((1 << (8 * size)) - 1))
    ctypes.memmove(base + index * size, data, size)


class Interrupted(Exception):
    """`max_iterations` reached: ``values`` are the label values to go on from."""

    def __init__(self, iterations: int, values: list):
        super().__init__(iterations)
        self.iterations, self.values = iterations, values


def evaluate(num: int, args: list, descr: Any = None) -> Any:
    """One pure operation on concrete values (used by constant folding too)."""
    if num == O.CALL_F:
        return float(descr.c_call(*args))
    if num == O.CALL_I:
        return wrap(int(descr.c_call(*args)))
    return PURE[num](*args)


def run(trace: Trace, inputs: list, max_iterations: int | None = None,
        stop_at_jump: bool = False) -> Exit:
    """Run until a guard fails (or, with `stop_at_jump`, until the first jump: a bridge
    returns ``Exit(guard=jump op, index=-2, values={position: value})``).  A peeled
    loop runs its preamble once, then its body; `Interrupted` gives the values of the
    trace's own inputs (the first ones of the loop label)."""
    guard_no = {id(g): i for i, g in enumerate(trace.guards())}
    env: dict[int, Any] = {id(v): x for v, x in zip(trace.inputs, inputs)}

    def get(v: Value) -> Any:
        v = resolve(v)
        return v.value if isinstance(v, Const) else env[id(v)]

    ovf = False
    iterations = 0
    ops = trace.ops
    mid = trace.loop_index()          # a peeled loop: the preamble runs once
    targets = trace.loop_inputs
    n_inputs = len(trace.inputs)      # the loop label's first values are the loop's state
    start = 1
    while True:
        for op in ops[start:]:
            num = op.num
            if num == O.JUMP:
                vals = [get(a) for a in op.args]
                if stop_at_jump:
                    return Exit(op, -2, dict(enumerate(vals)), iterations)
                env = {id(v): x for v, x in zip(targets, vals)}
                iterations += 1
                start = mid + 1
                if max_iterations is not None and iterations >= max_iterations:
                    raise Interrupted(iterations, vals[:n_inputs])
                break
            if O.is_guard(num):
                if num == O.GUARD_TRUE:
                    ok = get(op.args[0]) != 0
                elif num == O.GUARD_FALSE:
                    ok = get(op.args[0]) == 0
                elif num == O.GUARD_NO_OVERFLOW:
                    ok = not ovf
                elif num == O.GUARD_OVERFLOW:
                    ok = ovf
                else:  # guard_value
                    ok = get(op.args[0]) == get(op.args[1])
                if not ok:
                    snap = op.snapshot
                    return Exit(op, guard_no[id(op)], {n: get(v) for n, v in snap.values}, iterations)
                continue
            if num == O.FINISH:   # its values by position, as a bridge's jump
                return Exit(op, -1, {i: get(a) for i, a in enumerate(op.args)}, iterations)
            args = [get(a) for a in op.args]
            if num in (O.GETARRAYITEM_RAW_I, O.GETARRAYITEM_RAW_F, O.GETARRAYITEM_GC_I,
                       O.GETARRAYITEM_GC_F):
                v = raw_load(op.descr, *args)
                env[id(op)] = float(v) if op.kind == "f" else int(v)
                continue
            if num in (O.SETARRAYITEM_RAW_I, O.SETARRAYITEM_RAW_F):
                raw_store(op.descr, *args)
                continue
            if num == O.CALL_LOOP:
                env[id(op)] = op.descr.call_reference(args)
                continue
            if num == O.CALL_PY:
                env[id(op)] = op.descr.reference_call(args)
                continue
            if num in OVF:
                r = OVF[num](*args)
                ovf = not fits(r)
                env[id(op)] = wrap(r)
            else:
                env[id(op)] = evaluate(num, args, op.descr)


HEADER = "header"   # the descr of a guard that fails only with the loop's header state


def header_exit(trace: Trace, inputs: list, iterations: int) -> Exit:
    """Where `trace` is after `iterations` iterations, as its first guard's snapshot sees
    it: what a ``HEADER`` guard an optimiser added must exit with.  (Nothing before the
    first guard may have an effect.)"""
    values = list(inputs)
    if iterations:
        try:
            run(trace, values, iterations)
        except Interrupted as stop:
            values = stop.values
        else:
            raise AssertionError("the trace left before reaching the header state")
    forced = trace.copy()
    first = forced.guards()[0]
    first.num, first.args = O.GUARD_TRUE, [Const(0)]
    ex = run(forced, values)
    ex.iterations = iterations
    return ex
