"""THE IR TABLE: every trace operation, declared once.

Row format: ``name  args  result  flags``.
  args    a string of argument kinds (``i`` int64, ``f`` double, ``*`` any number) or ``-``
  result  ``i``, ``f`` or ``n`` (no value)
  flags   ``pure`` (no side effect, may be folded/CSE'd), ``comm`` (commutative),
          ``ovf`` (sets the overflow condition read by the next guard), ``guard``,
          ``call`` (calls out of compiled code), ``ctl`` (label/jump/finish), ``-`` none
Raw array ops address ``base + index * size`` where the element type is the op's
``descr`` (an ``array`` typecode: b B h H i I l L q Q for ints, f d for floats).
``getarrayitem_gc_*`` address memory the same way inside a Python object (a field or
an item of a list or tuple, ``descr`` the width as a typecode): the object is the
interpreter's, so a trace holding one runs with the GIL (see docs/architecture.md).
``call_i`` calls a C function of the Python API (``descr``: its descriptor) that may
change objects; it needs the GIL like the loads of objects.
``call_loop`` runs another compiled loop (``descr``: its executor) on its own frame
from the given inputs and returns the exit number; ``getarrayitem_raw_*`` on that
frame read the values the inner loop left there.
``call_py`` calls a Python callable (``descr``: a ``trace.residual.ResidualCall``) with
its arguments unboxed and returns a status word (the result's kind, or that something
the trace assumed broke); the results are raw loads from the call site's buffer.
Guards come last in the table, so ``is_guard`` is a range check, and the
comparisons are declared in inverse pairs (lt/ge, le/gt, eq/ne) so inverting
one is ``num ^ 1``.
"""
from __future__ import annotations

from dataclasses import dataclass

_TABLE = """
label              *     n   ctl
jump               *     n   ctl
finish             *     n   ctl
same_as_i          i     i   pure
same_as_f          f     f   pure
int_add            ii    i   pure comm
int_sub            ii    i   pure
int_mul            ii    i   pure comm
int_add_ovf        ii    i   ovf comm
int_sub_ovf        ii    i   ovf
int_mul_ovf        ii    i   ovf comm
int_floordiv       ii    i   pure
int_mod            ii    i   pure
int_and            ii    i   pure comm
int_or             ii    i   pure comm
int_xor            ii    i   pure comm
int_lshift         ii    i   pure
int_rshift         ii    i   pure
int_neg            i     i   pure
int_invert         i     i   pure
int_lt             ii    i   pure
int_ge             ii    i   pure
int_le             ii    i   pure
int_gt             ii    i   pure
int_eq             ii    i   pure comm
int_ne             ii    i   pure comm
float_lt           ff    i   pure
float_ge           ff    i   pure
float_le           ff    i   pure
float_gt           ff    i   pure
float_eq           ff    i   pure comm
float_ne           ff    i   pure comm
float_add          ff    f   pure comm
float_sub          ff    f   pure
float_mul          ff    f   pure comm
float_truediv      ff    f   pure
float_neg          f     f   pure
float_abs          f     f   pure
float_sqrt         f     f   pure
cast_int_to_float  i     f   pure
cast_float_to_int  f     i   pure
call_f             *     f   call pure
call_loop          *     i   call
call_i             *     i   call
call_py            *     i   call
getarrayitem_raw_i ii    i   -
getarrayitem_raw_f ii    f   -
setarrayitem_raw_i iii   n   -
setarrayitem_raw_f iif   n   -
getarrayitem_gc_i  ii    i   -
getarrayitem_gc_f  ii    f   -
guard_true         i     n   guard
guard_false        i     n   guard
guard_no_overflow  -     n   guard
guard_overflow     -     n   guard
guard_value        ii    n   guard
"""


@dataclass(frozen=True)
class OpDesc:
    num: int
    name: str
    args: str          # "" for none, "*" for variadic
    result: str        # "i" | "f" | "n"
    flags: frozenset[str]

    @property
    def arity(self) -> int | None:
        return None if self.args == "*" else len(self.args)

    pure = property(lambda self: "pure" in self.flags)
    commutative = property(lambda self: "comm" in self.flags)
    overflow = property(lambda self: "ovf" in self.flags)
    is_call = property(lambda self: "call" in self.flags)


OPS: list[OpDesc] = []
for _num, _row in enumerate(r for r in _TABLE.strip().splitlines() if r.strip()):
    _name, _args, _res, *_flags = _row.split()
    OPS.append(OpDesc(_num, _name, "" if _args == "-" else _args, _res,
                      frozenset(f for f in _flags if f != "-")))
    globals()[_name.upper()] = _num
BY_NAME = {d.name: d for d in OPS}
FIRST_GUARD = BY_NAME["guard_true"].num


def is_guard(num: int) -> bool:
    return num >= FIRST_GUARD


def invert_comparison(num: int) -> int:
    """lt <-> ge, le <-> gt, eq <-> ne: the table keeps them as pairs (even, odd)."""
    name = OPS[num].name
    assert name.split("_")[-1] in ("lt", "ge", "le", "gt", "eq", "ne"), name
    return num ^ 1


_SWAP = {"lt": "gt", "gt": "lt", "le": "ge", "ge": "le", "eq": "eq", "ne": "ne"}


def swap_comparison(num: int) -> int:
    """The comparison with its operands exchanged (a < b  ==  b > a)."""
    prefix, _, rel = OPS[num].name.rpartition("_")
    return BY_NAME[f"{prefix}_{_SWAP[rel]}"].num
