"""CodeImage: the machine code of one compiled trace plus everything needed to run it,
patch it and list it.

Calling convention of every image (System V / AAPCS64 alike)::

    int64_t loop(int64_t *frame)

    frame[0]        interrupt word: nonzero makes the loop leave at its next back-edge
    frame[1 + k]    on entry: trace input k (ints as int64, floats as raw IEEE bits)
                    on exit:  the values the exit reports (see below)

    return  g >= 0  guard g (index in ``trace.guards()``) failed; frame[1 + j] holds
                    ``guard.snapshot.fail_args()[j]``
            -1      ``finish`` was reached; frame[1 + j] holds its j-th argument
            -2      interrupted at the loop header; frame[1 + k] holds the value of
                    label argument k (the inputs of the next iteration)

Bridges: each guard leaves the loop through one conditional branch whose rel32 field
is at ``guard_offsets[g][0]``; it initially targets the exit stub at
``guard_offsets[g][1]``.  ``patch_guard`` rewrites that field so the branch goes to a
bridge instead; the bridge starts with the loop's machine stack frame and registers
as they are at the guard (``guard_locations[g]`` says where each fail_arg lives) and
leaves like the loop does: release ``frame_size`` bytes of stack, pop ``saved_regs`` in
reverse order, return an exit number.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import Any

EXIT_FINISH = -1
EXIT_INTERRUPT = -2


@dataclass
class CodeImage:
    arch: str
    code: bytes
    entry: int = 0
    # One (rel32 field offset, exit stub offset) pair per guard, in trace.guards() order.
    guard_offsets: list[tuple[int, int]] = field(default_factory=list)
    # For each trace op: its [start, end) byte range (empty for ops that emit nothing).
    op_offsets: list[tuple[int, int]] = field(default_factory=list)
    frame_slots: int = 1
    loop_offset: int = 0            # the loop header (back-edge target)
    code_size: int = 0              # instructions end here; the constant pool follows
    # Where each guard's fail_args live when the guard fails (regalloc Locations).
    guard_locations: list[list[Any]] = field(default_factory=list)
    label_locations: list[Any] = field(default_factory=list)
    frame_size: int = 0             # bytes of machine stack the loop reserves (spills)
    saved_regs: list[int] = field(default_factory=list)   # pushed by the prologue, in order
    interrupt_offset: int = 0       # the interrupted-at-loop-header exit
    # (offset of an 8-byte absolute call target in the code, call descriptor) per call_f,
    # for executors that relocate calls (an emulator's trap addresses).
    call_sites: list[tuple[int, Any]] = field(default_factory=list)

    def patch_guard(self, guard_index: int, target_address: int,
                    base: int = 0) -> tuple[int, bytes]:
        """Point guard ``guard_index``'s branch at ``target_address``.

        ``base`` is the address the image is loaded at (the branch is pc-relative).
        Updates ``self.code`` and returns ``(offset, new_bytes)`` for the executor to
        write into its mapped copy (``NativeCode.patch`` does both).
        """
        if self.arch != "x86_64":
            raise NotImplementedError(f"guard patching for {self.arch}")
        at, _ = self.guard_offsets[guard_index]
        rel = target_address - (base + at + 4)
        if not -(1 << 31) <= rel < (1 << 31):
            raise ValueError("bridge target out of rel32 range")
        data = struct.pack("<i", rel)
        self.code = self.code[:at] + data + self.code[at + 4:]
        return at, data

    def guard_target(self, guard_index: int, base: int = 0) -> int:
        """The address guard ``guard_index``'s branch currently goes to."""
        at, _ = self.guard_offsets[guard_index]
        (rel,) = struct.unpack_from("<i", self.code, at)
        return base + at + 4 + rel

    def listing(self, trace: Any = None, base: int = 0) -> str:
        """Machine code listing, each op's IR text above its instructions."""
        from ...emu.disasm import disassemble
        from ..ir.trace import Namer, format_op

        insns = disassemble(self.code[:self.code_size], self.arch, base)
        lines: list[str] = []
        owner: dict[int, int] = {}
        for i, (start, end) in enumerate(self.op_offsets):
            for off, *_ in insns:
                if start <= off < end:
                    owner.setdefault(off, i)
        name = Namer(trace) if trace is not None else None
        gi = {id(g): k for k, g in enumerate(trace.guards())} if trace is not None else {}
        stubs = {stub: k for k, (_, stub) in enumerate(self.guard_offsets)}
        current = None
        for off, raw, mnem, ops in insns:
            i = owner.get(off)
            if i is not None and i != current:
                current = i
                text = format_op(trace.ops[i], name, gi) if trace is not None else f"op {i}"
                lines.append(f"# {i}: {text}")
            elif off in stubs:
                current = None
                lines.append(f"# exit stub for guard {stubs[off]}")
            elif off == self.interrupt_offset and self.interrupt_offset:
                current = None
                lines.append("# interrupt exit (frame holds the label values)")
            lines.append(f"  {base + off:8x}  {raw.hex():<20} {mnem} {ops}".rstrip())
        return "\n".join(lines)
