"""jitnb's bytecode, declared once in a table.

Each row is ``NAME  operand  pops  pushes``.  ``operand`` names what the argument
is (``-`` none, ``const``, ``local``, ``name``, ``free``, ``target`` a pc,
``n`` a count, ``binop``/``unop``/``cmp`` an index into the operator tables
below, ``call`` a (positional count, keyword names) pair, ``fmt`` an f-string
conversion, ``loop`` a loop index).  ``pops``/``pushes`` are integers or an
expression in ``n`` (the operand).  Everything else (numbers, predicates, the
stack-effect function, dispatch names) is derived from the table, and a test
checks that the interpreter has an ``op_<NAME>`` for every row.
"""
from __future__ import annotations

import operator
from dataclasses import dataclass
from typing import Any, Callable

_TABLE = """
NOP                  -       0      0
LOAD_CONST           const   0      1
LOAD_FAST            local   0      1
STORE_FAST           local   1      0
LOAD_GLOBAL          name    0      1
STORE_GLOBAL         name    1      0
LOAD_DEREF           free    0      1
LOAD_ATTR            name    1      1
STORE_ATTR           name    2      0
BINARY_SUBSCR        -       2      1
STORE_SUBSCR         -       3      0
BINARY_OP            binop   2      1
INPLACE_OP           binop   2      1
UNARY_OP             unop    1      1
COMPARE_OP           cmp     2      1
JUMP                 target  0      0
POP_JUMP_IF_FALSE    target  1      0
POP_JUMP_IF_TRUE     target  1      0
JUMP_IF_FALSE_OR_POP target  1      0
JUMP_IF_TRUE_OR_POP  target  1      0
GET_ITER             -       1      1
FOR_ITER             target  1      2
LOOP_HEADER          loop    0      0
CALL                 call    n+1    1
BUILD_TUPLE          n       n      1
BUILD_LIST           n       n      1
BUILD_MAP            n       2*n    1
BUILD_SLICE          n       n      1
BUILD_STRING         n       n      1
FORMAT_VALUE         fmt     n      1
UNPACK_SEQUENCE      n       1      n
POP_TOP              -       1      0
DUP_TOP              -       1      2
DUP_TOP_TWO          -       2      4
ROT_TWO              -       2      2
ROT_THREE            -       3      3
RETURN_VALUE         -       1      0
RAISE                n       n      0
UNSUPPORTED          const   0      0
"""

# operator tables: (symbol, ast node name, function, in-place function)
BINOPS: list[tuple[str, str, Callable, Callable]] = [
    ("+", "Add", operator.add, operator.iadd),
    ("-", "Sub", operator.sub, operator.isub),
    ("*", "Mult", operator.mul, operator.imul),
    ("/", "Div", operator.truediv, operator.itruediv),
    ("//", "FloorDiv", operator.floordiv, operator.ifloordiv),
    ("%", "Mod", operator.mod, operator.imod),
    ("**", "Pow", operator.pow, operator.ipow),
    ("<<", "LShift", operator.lshift, operator.ilshift),
    (">>", "RShift", operator.rshift, operator.irshift),
    ("&", "BitAnd", operator.and_, operator.iand),
    ("|", "BitOr", operator.or_, operator.ior),
    ("^", "BitXor", operator.xor, operator.ixor),
    ("@", "MatMult", operator.matmul, operator.imatmul),
]
UNOPS: list[tuple[str, str, Callable]] = [
    ("-", "USub", operator.neg),
    ("+", "UAdd", operator.pos),
    ("~", "Invert", operator.invert),
    ("not", "Not", operator.not_),
]
CMPOPS: list[tuple[str, str, Callable]] = [
    ("<", "Lt", operator.lt),
    ("<=", "LtE", operator.le),
    ("==", "Eq", operator.eq),
    ("!=", "NotEq", operator.ne),
    (">", "Gt", operator.gt),
    (">=", "GtE", operator.ge),
    ("is", "Is", operator.is_),
    ("is not", "IsNot", operator.is_not),
    ("in", "In", lambda a, b: a in b),
    ("not in", "NotIn", lambda a, b: a not in b),
]
BINOP_INDEX = {row[1]: i for i, row in enumerate(BINOPS)}
UNOP_INDEX = {row[1]: i for i, row in enumerate(UNOPS)}
CMP_INDEX = {row[1]: i for i, row in enumerate(CMPOPS)}


@dataclass(frozen=True)
class OpInfo:
    num: int
    name: str
    operand: str
    pops: str
    pushes: str

    def stack_effect(self, arg: Any) -> int:
        n = arg[0] if self.operand == "call" else (arg if isinstance(arg, int) else 0)
        if self.operand == "fmt":
            n = 2 if arg[1] else 1
        return _eval(self.pushes, n) - _eval(self.pops, n)

    @property
    def is_jump(self) -> bool:
        return self.operand == "target"


def _eval(expr: str, n: int) -> int:
    return int(eval(expr, {"n": n}))  # expressions come only from the table above


OPS: list[OpInfo] = []
for _i, _line in enumerate(l for l in _TABLE.strip().splitlines() if l.strip()):
    _name, _operand, _pops, _pushes = _line.split()
    OPS.append(OpInfo(_i, _name, _operand, _pops, _pushes))
    globals()[_name] = _i
BY_NAME = {op.name: op for op in OPS}
JUMPS = frozenset(op.num for op in OPS if op.is_jump)
CONDITIONAL_JUMPS = frozenset(BY_NAME[n].num for n in (
    "POP_JUMP_IF_FALSE", "POP_JUMP_IF_TRUE", "JUMP_IF_FALSE_OR_POP", "JUMP_IF_TRUE_OR_POP", "FOR_ITER"))


def describe_arg(opnum: int, arg: Any) -> str:
    """Human-readable operand, used by the disassembler and trace listings."""
    kind = OPS[opnum].operand
    if kind == "binop":
        return BINOPS[arg][0]
    if kind == "unop":
        return UNOPS[arg][0]
    if kind == "cmp":
        return CMPOPS[arg][0]
    if kind == "call":
        return f"{arg[0]}" + (f" kw={arg[1]}" if arg[1] else "")
    if kind == "fmt":
        return f"conv={arg[0]!r} spec={bool(arg[1])}"
    if kind == "-":
        return ""
    return repr(arg)
