"""Which fast locals are live where: backward dataflow over a unit's jitnb bytecode.

A local is *live* at a pc if some path from there reads it (``LOAD_FAST``) before
writing it (``STORE_FAST``).  A local dead at a loop's header holds nothing anyone
will see: entering a loop's machine code does not need it bound (the trace's value
for it is overwritten before any read, and every exit path, the code after the loop
included, writes it before reading it).  In a unit with ``UNSUPPORTED`` code (statements
CPython runs, such as ``try``: their bodies are compiled out of line, so the real flow is
not in the bytecode) every local is live everywhere; so is every local in a unit that
names ``locals``, ``vars``, ``dir``, ``eval`` or ``exec``.
"""
from __future__ import annotations

from . import opcodes as O

_ENDS = frozenset(O.BY_NAME[n].num for n in ("RETURN_VALUE", "RAISE"))
_LOAD, _STORE = O.BY_NAME["LOAD_FAST"].num, O.BY_NAME["STORE_FAST"].num
_UNSUPPORTED, _JUMP = O.BY_NAME["UNSUPPORTED"].num, O.BY_NAME["JUMP"].num
_GLOBAL = O.BY_NAME["LOAD_GLOBAL"].num
_INTROSPECTION = frozenset({"locals", "vars", "dir", "eval", "exec"})


def live_in(code) -> list[frozenset[int]]:
    """Per pc of `code` (a CodeUnit), the locals live before that instruction."""
    instrs = code.instrs
    n = len(instrs)
    everything = frozenset(range(len(code.localnames)))
    if any(ins.op == _UNSUPPORTED or (ins.op == _GLOBAL and ins.arg in _INTROSPECTION)
           for ins in instrs):
        # (code CPython runs, like a ``try``, has its bodies laid out of line: the flow
        # between them and the code after it is not in the bytecode)
        return [everything] * n
    succs: list[tuple[int, ...]] = []
    for pc, ins in enumerate(instrs):
        if ins.op in _ENDS:
            succs.append(())
        elif ins.op == _JUMP:
            succs.append((ins.arg,))
        elif ins.op in O.CONDITIONAL_JUMPS:
            succs.append((pc + 1, ins.arg))
        else:
            succs.append((pc + 1,) if pc + 1 < n else ())
    live: list[frozenset[int]] = [frozenset()] * n
    changed = True
    while changed:
        changed = False
        for pc in range(n - 1, -1, -1):
            ins = instrs[pc]
            out: frozenset[int] = frozenset().union(*(live[s] for s in succs[pc] if s < n))
            if ins.op == _STORE:
                new = out - {ins.arg}
            elif ins.op == _LOAD:
                new = out | {ins.arg}
            else:
                new = out
            if new != live[pc]:
                live[pc] = new
                changed = True
    return live


def dead_at(code, pc: int) -> frozenset[int]:
    """The locals dead at `pc` (cached per unit)."""
    cache = code.__dict__.setdefault("_live_in", None)
    if cache is None:
        cache = code.__dict__["_live_in"] = live_in(code)
    return frozenset(range(len(code.localnames))) - cache[pc]
