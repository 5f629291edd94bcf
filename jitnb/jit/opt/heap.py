"""Heap caching: repeated loads, store-to-load forwarding and stores overwritten unread.

A memory location is ``(base, index, descr)`` (raw array elements today; a field op
would add its own ``LOCATIONS`` row: which argument is the object, which the field).

  * a load of a location already loaded or stored is replaced by that value (a store
    is forwarded only for 8-byte elements, where storing and loading back is exact:
    narrower ints truncate, float32 rounds);
  * a store kills what the cache knows of every location it may alias; two locations
    are only known apart when they have the same base and descr and different constant
    indices (different bases may be the same array);
  * a store to a location stored again before anything could see it (a load that may
    alias, a guard, a call into other compiled code, the jump) is removed.

The cache is emptied at a loop label: nothing before it is visible in the body.
"""
from __future__ import annotations

from ..ir import ops as O
from ..ir.trace import Const, Op, Trace, Value, resolve

# op -> (is_store, argument positions of base and index); descr is the element type
LOCATIONS = {
    O.GETARRAYITEM_RAW_I: (False, 0, 1), O.GETARRAYITEM_RAW_F: (False, 0, 1),
    O.SETARRAYITEM_RAW_I: (True, 0, 1), O.SETARRAYITEM_RAW_F: (True, 0, 1),
}
_EXACT = set("qQlLd")    # element types whose store-then-load gives back the stored value
# calls out of the trace that are not pure (other machine code, the Python API, any
# Python callable): they may read and write any memory
OPAQUE = {d.num for d in O.OPS if d.is_call and not d.pure}


def _key(v: Value):
    v = resolve(v)
    return ("c", v.kind, v.value) if isinstance(v, Const) else id(v)


def _descr(op: Op) -> str:
    return getattr(op.descr, "typecode", op.descr)


def location(op: Op):
    _, b, i = LOCATIONS[op.num]
    return (_key(op.args[b]), _key(op.args[i]), _descr(op))


def apart(x, y) -> bool:
    """Are two locations certainly different memory?"""
    if x == y:
        return False
    (bx, ix, dx), (by, iy, dy) = x, y
    return bx == by and dx == dy and isinstance(ix, tuple) and isinstance(iy, tuple)


def run(trace: Trace) -> Trace:
    out: list[Op | None] = []
    cache: dict = {}                    # location -> value known to be there
    pending: dict = {}                  # location -> position in out of an unseen store
    for op in trace.ops:
        op.args = [resolve(a) for a in op.args]
        num = op.num
        if op.snapshot is not None:
            op.snapshot.values = [(n, resolve(v)) for n, v in op.snapshot.values]
        if num == O.LABEL or num == O.JUMP or num in OPAQUE:
            pending.clear()
            if num != O.JUMP:
                cache.clear()
            out.append(op)
            continue
        if O.is_guard(num):
            pending.clear()             # the interpreter sees memory after a guard fails
            out.append(op)
            continue
        if num not in LOCATIONS:
            out.append(op)
            continue
        store, _, _ = LOCATIONS[num]
        loc = location(op)
        if not store:
            for other in list(pending):
                if not apart(loc, other):
                    del pending[other]
            if loc in cache:
                op.forward = cache[loc]
                continue
            cache[loc] = op
            out.append(op)
            continue
        if loc in pending:              # overwritten before anyone looked
            out[pending.pop(loc)] = None
        for other in list(cache):
            if not apart(loc, other):
                del cache[other]
        if loc[2] in _EXACT:
            cache[loc] = op.args[2]
        pending[loc] = len(out)
        out.append(op)
    return trace.with_ops([op for op in out if op is not None])
