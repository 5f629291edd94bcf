"""Lists and tuples in traces: their shadows, CPython 3.11 layouts and element loads.

    list   ob_type@8  ob_size@16  ob_item@24 ─► PyObject *[ob_size]
    tuple  ob_type@8  ob_size@16  items inline from @24
    float  ob_type@8  ob_fval@16 (double)
    int    ob_type@8  ob_size@16 (signed digit count)  30-bit digits from @24 (uint32)

A list or tuple in a trace is an int IR value: the object's address.  Every read goes
to memory (``getarrayitem_gc_*``, never cached): ``ob_size`` and ``ob_item`` are read
again wherever CPython reads them, and each item's type is guarded before the item is
unboxed (floats, ints of up to two digits, bools; lists and tuples stay references).
Item stores and ``append`` make the new item through the C API (``capi.py``).
A trace owns no reference: the items it makes belong to their list at once, and the
items it replaces are floats, ints or bools, whose release runs no code.  So every
address it holds stays valid: inputs are held by the frame, items by their container
(and nothing else runs: traces that touch objects hold the GIL, see
docs/architecture.md).  A failing guard boxes a reference back from its address.
"""
from __future__ import annotations

import ctypes
from dataclasses import dataclass
from typing import Any

from ..ir import ops as I
from ..ir.trace import Const, Value
from . import capi

TYPE, SIZE, ITEMS = 1, 2, 3        # 8-byte words: ob_type, ob_size, ob_item / first item
FVAL = 2                           # PyFloatObject.ob_fval (8-byte word 2)
DIGIT = 6                          # PyLongObject.ob_digit[0] (4-byte word 6)
DIGIT_BITS = 30
SEQ_PARTS = ("sptr", "sidx")       # InputSpec parts: a sequence's address, an iterator's index
# iterations between the GIL hand-over exits of a trace, scaled so that a trace of n ops
# hands over about every YIELD_OPS ops (about a millisecond of machine code)
YIELD_OPS = 1 << 22


@dataclass(frozen=True)
class SeqRef:
    """A list or tuple (``py``) the trace reads: ``ptr`` is its address."""
    ptr: Value
    py: type


@dataclass(frozen=True)
class SeqIter:
    """An iterator over a list or tuple: the sequence and the index of the next item."""
    seq: SeqRef
    idx: Value


@dataclass(frozen=True)
class BoundAppend:
    """``lst.append`` of a list the trace holds (a bound method not yet called)."""
    seq: SeqRef


def is_seq(value: Any) -> bool:
    return type(value) is list or type(value) is tuple


def known_seq(r, pos: int) -> Any:
    """The shadow at ``r.stack[pos]``; a list or tuple the trace knows as a constant
    object (checked on entry, or held by the code) becomes a ``SeqRef`` to its address."""
    from .recorder import Known
    sh = r.stack[pos]
    if isinstance(sh, Known) and is_seq(sh.obj):
        sh = r.stack[pos] = SeqRef(Const(id(sh.obj)), type(sh.obj))
    return sh


def iterated(it: Any) -> tuple[Any, int] | None:
    """(sequence, next index) of a live list or tuple iterator, else None."""
    if type(it).__name__ not in ("list_iterator", "tuple_iterator"):
        return None
    red = it.__reduce__()
    if len(red) < 3:           # exhausted: the iterator has let go of its sequence
        return None
    return red[1][0], red[2]


def obj_at(address: int) -> Any:
    """A new reference to the object at ``address`` (which something keeps alive)."""
    return ctypes.cast(address, ctypes.py_object).value


def yield_mask(n_ops: int) -> int:
    """``iterations & mask == 0`` once every 2**k iterations, 2**k * n_ops ~ YIELD_OPS."""
    k = max(0, YIELD_OPS.bit_length() - 1 - max(n_ops, 1).bit_length())
    return (1 << k) - 1


# -- loads -----------------------------------------------------------------------------------
def word(r, base: Value, index: Value | int, descr: str = "q") -> Value:
    """A word of a Python object (marks the trace as one that must hold the GIL)."""
    if r.bridge and not r.target.holds_gil:
        r.nyi("reading objects in a bridge of a loop that runs without the GIL")
    r.holds_gil = True
    if isinstance(index, int):
        index = Const(index)
    return r.emit(I.GETARRAYITEM_GC_F if descr == "d" else I.GETARRAYITEM_GC_I, base, index,
                  descr=descr)


def length(r, seq: SeqRef) -> Value:
    return word(r, seq.ptr, SIZE)


def _plus(r, v: Value, k: int) -> Value:
    if isinstance(v, Const):
        return Const(v.value + k)
    return r.emit(I.INT_ADD, v, Const(k))


def item(r, seq: SeqRef, idx: Value, value: Any) -> Any:
    """``seq[idx]`` for an index the caller has checked; ``value`` is the item the
    interpreter got, whose type the trace specialises on."""
    check_item(r, value)
    if seq.py is list:
        obj = word(r, word(r, seq.ptr, ITEMS), idx)
    else:
        obj = word(r, seq.ptr, _plus(r, idx, ITEMS))
    return unbox(r, obj, value)


def check_item(r, value: Any) -> None:
    t = type(value)
    if t not in (float, int, bool, list, tuple):
        r.nyi(f"{t.__name__} item of a list or tuple")
    if t is int and value.bit_length() > 2 * DIGIT_BITS:
        r.nyi("int of more than 60 bits in a list or tuple")


def unbox(r, obj: Value, value: Any) -> Any:
    """The shadow of the object at ``obj``: a guard on its type, then its value."""
    from .recorder import Num
    t = type(value)
    r.guard(I.GUARD_VALUE, word(r, obj, TYPE), Const(id(t)))
    if t is float:
        return Num(word(r, obj, FVAL, "d"), float)
    if t in (list, tuple):
        return SeqRef(obj, t)
    size = word(r, obj, SIZE)
    if value.bit_length() <= DIGIT_BITS:        # 0 or one digit: value = ob_size * digit
        r.guard(I.GUARD_TRUE, r.emit(I.INT_LE, size, Const(1)))
        r.guard(I.GUARD_TRUE, r.emit(I.INT_GE, size, Const(-1)))
        return Num(r.emit(I.INT_MUL, size, word(r, obj, DIGIT, "I")), t)
    r.guard(I.GUARD_VALUE, size, Const(2 if value > 0 else -2))
    high = r.emit(I.INT_LSHIFT, word(r, obj, DIGIT + 1, "I"), Const(DIGIT_BITS))
    magnitude = r.emit(I.INT_OR, word(r, obj, DIGIT, "I"), high)
    return Num(magnitude if value > 0 else r.emit(I.INT_NEG, magnitude), int)


def index(r, seq: SeqRef, key: Any, key_value: Any) -> Value:
    """The checked position of ``seq[key]``: negative keys count from the end, an
    out-of-range key fails a guard (the interpreter raises IndexError)."""
    from .recorder import Num
    if not (isinstance(key, Num) and key.py in (int, bool)):
        r.nyi(f"{seq.py.__name__} index that is not an int")
    n = length(r, seq)
    i = key.v
    if key_value >= 0:
        if not isinstance(i, Const):
            r.guard(I.GUARD_TRUE, r.emit(I.INT_GE, i, Const(0)))
        r.guard(I.GUARD_TRUE, r.emit(I.INT_LT, i, n))
        return i
    if not isinstance(i, Const):
        r.guard(I.GUARD_TRUE, r.emit(I.INT_LT, i, Const(0)))
    j = r.emit(I.INT_ADD, i, n)
    r.guard(I.GUARD_TRUE, r.emit(I.INT_GE, j, Const(0)))
    return j


# -- bytecodes ---------------------------------------------------------------------------------
def subscript(r, arg: Any) -> None:
    """BINARY_SUBSCR with a list or tuple below an int."""
    key, seq = r.stack[-1], r.stack[-2]
    key_value = r.frame.stack[-1]
    r.concrete(arg)
    value = r.frame.stack[-1]
    check_item(r, value)
    i = index(r, seq, key, key_value)
    r.stack[-2:] = [item(r, seq, i, value)]


def unpack(r, n: int) -> None:
    """UNPACK_SEQUENCE of a list or tuple: its size must be ``n`` (else ValueError)."""
    seq = r.stack[-1]
    r.concrete(n)
    values = r.frame.stack[len(r.frame.stack) - n:][::-1]
    for v in values:
        check_item(r, v)
    r.guard(I.GUARD_VALUE, length(r, seq), Const(n))
    items = [item(r, seq, Const(k), v) for k, v in enumerate(values)]
    r.stack.pop()
    r.stack.extend(reversed(items))


def next_item(r, it: SeqIter, own: bool, target: int) -> None:
    """FOR_ITER over a list or tuple, as CPython's iterators do it: the size is read
    again at every step, so items appended meanwhile are seen."""
    more = r.emit(I.INT_LT, it.idx, length(r, it.seq))
    if r.frame.pc == target:  # exhausted during tracing
        if own:
            from .recorder import Abort
            raise Abort("loop left during tracing", r.line)
        r.guard(I.GUARD_FALSE, more)
        r.stack.pop()
        return
    value = r.frame.stack[-1]
    check_item(r, value)
    r.guard(I.GUARD_TRUE, more)
    x = item(r, it.seq, it.idx, value)
    r.stack[-1] = SeqIter(it.seq, r.emit(I.INT_ADD, it.idx, Const(1)))
    r.stack.append(x)


# -- changes: new items through the C API ---------------------------------------------------
def _call(r, descr: capi.ApiCall, *args: Value) -> Value:
    if r.bridge and not r.target.holds_gil:
        r.nyi("changing objects in a bridge of a loop that runs without the GIL")
    r.holds_gil = True
    return r.emit(I.CALL_I, *args, descr=descr)


def _new_item(r, value: Any) -> Value:
    """A new reference to a float/int/bool object for a number shadow; a failed
    allocation fails the guard (nothing has changed yet: the interpreter redoes it)."""
    from .recorder import Num
    if not isinstance(value, Num):
        r.nyi("storing an object into a list")
    if value.py is float:
        obj = _call(r, capi.FLOAT_NEW, value.v)
    else:
        obj = _call(r, capi.BOOL_NEW if value.py is bool else capi.INT_NEW, value.v)
    r.guard(I.GUARD_TRUE, r.emit(I.INT_NE, obj, Const(0)))
    return obj


def store(r, arg: Any) -> None:
    """STORE_SUBSCR ``lst[key] = value``: the item is replaced by a new object.  The old
    item must be a float, int or bool (guarded), whose release runs no Python code."""
    key, seq, value = r.stack[-1], r.stack[-2], r.stack[-3]
    if seq.py is not list:
        r.nyi("item assignment to a tuple")
    key_value, lst = r.frame.stack[-1], r.frame.stack[-2]
    try:
        old = lst[key_value]
    except BaseException:           # noqa: BLE001 - the interpreter raises it below
        old = None
    r.concrete(arg)
    if type(old) not in (float, int, bool):
        r.nyi(f"replacing a {type(old).__name__} item of a list")
    i = index(r, seq, key, key_value)
    previous = word(r, word(r, seq.ptr, ITEMS), i)
    r.guard(I.GUARD_VALUE, word(r, previous, TYPE), Const(id(type(old))))
    obj = _new_item(r, value)
    _call(r, capi.LIST_SETITEM, seq.ptr, i, obj)
    del r.stack[-3:]


def append(r, bound: BoundAppend, arg: Any) -> None:
    """``lst.append(x)`` of a number: a new object appended by ``PyList_Append``."""
    from .recorder import Known
    n, kwnames = arg
    if n != 1 or kwnames:
        r.nyi("list.append with other than one argument")
    value = r.stack[-1]
    r.concrete(arg)
    obj = _new_item(r, value)
    _call(r, capi.LIST_APPEND, bound.seq.ptr, obj)
    _call(r, capi.DECREF, obj)
    del r.stack[-2:]
    r.stack.append(Known(None))


def attribute(r, name: str) -> bool:
    """LOAD_ATTR on a list or tuple: ``lst.append`` is modelled (True), nothing else."""
    seq = r.stack[-1]
    if name != "append" or seq.py is not list:
        return False
    r.concrete(name)
    r.stack[-1] = BoundAppend(seq)
    return True


# -- entry, snapshots, jumps -----------------------------------------------------------------
def iterator_input(r, loc: Any, it: Any) -> SeqIter | None:
    """The loop's own (or an enclosing) list or tuple iterator as trace inputs."""
    got = iterated(it)
    if got is None:
        return None
    seq, idx = got
    ptr = r._new_input(loc, seq, "sptr")
    return SeqIter(SeqRef(ptr, type(seq)), r._new_input(loc, idx, "sidx"))


def resume_entry(name: str, sh: Any, values: list, entries: list, loc: Any) -> bool:
    """Snapshot entries of a sequence shadow (False: not one)."""
    if isinstance(sh, SeqRef):
        values.append((name, sh.ptr))
        entries.append((loc, "seq", (name, sh.py)))
        return True
    if isinstance(sh, BoundAppend):
        values.append((name, sh.seq.ptr))
        entries.append((loc, "append", (name, list)))
        return True
    if isinstance(sh, SeqIter):
        values.append((name, sh.idx))
        values.append((name + ".seq", sh.seq.ptr))
        entries.append((loc, "siter", (name, sh.seq.py)))
        return True
    return False


def shadow_from(how: str, what: Any, by_name: dict) -> Any:
    """A sequence shadow from snapshot values (bridges, inner loop exits)."""
    name, py = what
    if how == "seq":
        return SeqRef(by_name[name], py)
    if how == "append":
        return BoundAppend(SeqRef(by_name[name], py))
    return SeqIter(SeqRef(by_name[name + ".seq"], py), by_name[name])


def jump_arg(r, spec: Any, sh: Any) -> Value:
    """The value a ``sptr``/``sidx`` input gets at the loop's jump (or a call_loop)."""
    from .recorder import Abort
    seq = sh.seq if isinstance(sh, SeqIter) else sh
    if not isinstance(seq, SeqRef) or seq.py is not spec.py and spec.part == "sptr":
        raise Abort(f"{spec.loc.name(r.unit)} changes from a {spec.py.__name__}", r.loop.line)
    if spec.part == "sptr":
        return seq.ptr
    if not isinstance(sh, SeqIter):
        raise Abort("loop iterator changes", r.loop.line)
    return sh.idx


# -- the driver's side: objects back from addresses -------------------------------------------
def materialise(entries: list, by_name: dict) -> dict[str, Any]:
    """Name -> object for the sequences of snapshot entries, taken before anything in
    the frame is overwritten (an overwritten reference may be the one keeping them alive)."""
    out: dict[str, Any] = {}
    for _, how, what in entries:
        if how in ("seq", "append"):
            out[what[0]] = obj_at(by_name[what[0]])
        elif how == "siter":
            out[what[0]] = obj_at(by_name[what[0] + ".seq"])
    return out


def rebuild(how: str, what: Any, by_name: dict, objs: dict, in_place: Any = None) -> Any:
    """The object for a ``seq``/``siter`` entry (``in_place``: the loop's own iterator,
    moved to the snapshot's index instead of being made anew)."""
    name = what[0]
    if how == "seq":
        return objs[name]
    if how == "append":
        return objs[name].append
    it = in_place if in_place is not None else iter(objs[name])
    it.__setstate__(by_name[name])
    return it
