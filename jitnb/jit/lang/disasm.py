"""Disassembler for jitnb bytecode: one line per instruction, jump targets and loop headers marked."""
from __future__ import annotations

from . import opcodes as O
from .compiler import CodeUnit


def disassemble(unit: CodeUnit) -> str:
    targets = {i.arg for i in unit.instrs if i.op in O.JUMPS}
    headers = {l.header_pc: l for l in unit.loops}
    bodies = {l.body_pc: l for l in unit.loops}
    out = [f"code {unit.qualname} ({unit.filename}:{unit.firstlineno})"
           + (f" locals={unit.localnames}" if unit.localnames else "")]
    last_line = None
    for pc, ins in enumerate(unit.instrs):
        if pc in headers:
            l = headers[pc]
            state = "jit-able" if l.jitable else f"not jit-able: {l.reject}"
            out.append(f"  -- loop {l.index} ({l.kind}, line {l.line}, {state})")
        if pc in bodies:
            out.append(f"  -- loop {bodies[pc].index} body")
        line = f"{ins.line:>5}" if ins.line != last_line else "     "
        last_line = ins.line
        mark = ">>" if pc in targets else "  "
        info = O.OPS[ins.op]
        arg = O.describe_arg(ins.op, ins.arg)
        if info.operand == "local":
            arg = f"{ins.arg} ({unit.localnames[ins.arg]})"
        out.append(f"{line} {mark}{pc:>5} {info.name:<22}{arg}")
    return "\n".join(out)
