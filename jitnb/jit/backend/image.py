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

Entry points of a loop image: ``entry`` (the prologue: push the callee-saved
registers it uses, reserve ``frame_size`` bytes of spill slots, r15 := frame) and
``reload_offset`` (just after the prologue: load every label value from
frame[1 + k] into its location and enter the loop body).  Only code already running
inside the loop's machine stack frame may jump to ``reload_offset``: bridges do.

Bridges (``kind == "bridge"``).  A bridge is a trace compiled for one guard of a
*parent* (a loop or another bridge); its inputs are the parent guard's
``fail_args()`` one-to-one, and it ends with ``jump`` to the loop's label or with
``finish``.  Attaching it (``patch_guard``) sends the guard's conditional branch to
the bridge, which then runs inside the loop's machine stack frame:

    entry  store the parent guard's values to frame[1 + j], exactly as the parent's
           exit stub would (``guard_locations`` says where they are);
           drop the parent's own stack (a parent bridge's ``frame_size`` and
           ``saved_regs``), so every bridge starts at the loop body's stack level;
           push the callee-saved registers the bridge uses that the loop's prologue
           did not save (``saved_regs``), reserve ``frame_size`` bytes of spill slots;
           load its inputs from frame[1 + j]
    body   like a loop body; r15 (the frame pointer) is the loop's
    jump   store the label values to frame[1 + k], release the bridge's stack and
           registers; if the interrupt word is set return -2 (the frame holds the
           label values, as for a loop); else ``mov r11, reload_address; jmp r11``
    exits  guard i stores its fail_args and returns ``first_exit + i``; ``finish``
           returns -1; either leaves through the bridge's epilogue and then the loop's
           (release ``loop_frame_size``, pop ``loop_saved_regs``, ret)

So the exit numbers of one loop tree are: the loop's guards 0..n-1, and each bridge
the range ``first_exit ..`` chosen by whoever compiles it (the driver hands out
disjoint ranges).  Exit stores only go to frame[1 + j]: the frame array a loop runs
on needs ``max(frame_slots)`` over the loop and every bridge attached to it.

Patching: each guard leaves through one conditional branch whose rel32 field is at
``guard_offsets[g][0]``; it initially targets the exit stub at ``guard_offsets[g][1]``.
``patch_guard`` points the rel32 field at the bridge when the bridge is within
+-2 GiB; otherwise it rewrites the start of the exit stub into ``mov r11, imm64;
jmp r11`` (every stub is at least ``STUB_MIN`` bytes long; r11 is never live at a
guard).  Cross-mapping jumps of a bridge (to the loop's reload entry) are always
absolute.

On AArch64 ``guard_offsets[g][0]`` is the guard's branch instruction itself (a
``b.cond``, ``cbz`` or ``cbnz``, whose imm19 reaches +-1 MiB).  A bridge within that
range gets the branch directly; otherwise the branch goes to its exit stub, whose
first word becomes ``b bridge`` (imm26: +-128 MiB) or, beyond that, ``ldr x16, lit;
br x16`` with the 8-byte address in the stub (every stub is at least ``STUB_MINS
["aarch64"]`` bytes; x16 is a scratch register, never live at a guard).
"""
from __future__ import annotations

import bisect
import struct
from dataclasses import dataclass, field
from typing import Any

EXIT_FINISH = -1
EXIT_INTERRUPT = -2
STUB_MIN = 13           # movabs r11, imm64 (10 bytes) + jmp r11 (3 bytes)
_ABS_JUMP = (b"\x49\xbb", b"\x41\xff\xe3")
# ldr x16, lit; br x16; [brk #0 so that the literal is 8-aligned]; .quad target
STUB_MINS = {"x86_64": STUB_MIN, "aarch64": 20}
_A64_B, _A64_LDR_X16, _A64_BR_X16, _A64_BRK = 0x14000000, 0x58000010, 0xD61F0200, 0xD4200000


def _a64_word(code: bytes, at: int) -> int:
    return struct.unpack_from("<I", code, at)[0]


def _a64_imm19(word: int) -> int:
    """The byte offset of a b.cond / cbz / cbnz / ldr-literal (imm19 at bits 5..23)."""
    imm = (word >> 5) & 0x7FFFF
    return 4 * (imm - (1 << 19) if imm >> 18 else imm)


def _a64_set_imm19(word: int, offset: int) -> int:
    assert offset % 4 == 0 and -(1 << 20) <= offset < (1 << 20), offset
    return (word & ~(0x7FFFF << 5)) | (((offset >> 2) & 0x7FFFF) << 5)


def a64_branch(offset: int) -> int:
    """``b offset`` (imm26, +-128 MiB)."""
    assert offset % 4 == 0 and -(1 << 27) <= offset < (1 << 27), offset
    return _A64_B | ((offset >> 2) & 0x3FFFFFF)


def a64_abs_jump(at: int, target: int) -> bytes:
    """``ldr x16, lit; br x16; lit: .quad target`` placed at code offset ``at`` (the
    literal 8-byte aligned)."""
    lit = 8 if (at + 8) % 8 == 0 else 12
    words = [_A64_LDR_X16 | ((lit >> 2) << 5), _A64_BR_X16] + ([_A64_BRK] if lit == 12 else [])
    return struct.pack(f"<{len(words)}I", *words) + struct.pack("<Q", target & (1 << 64) - 1)


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
    saved_regs: list[int] = field(default_factory=list)   # saved by the prologue, in order
    #                                   (aarch64: d<n> is listed as 32 + n)
    interrupt_offset: int = 0       # the interrupted-at-loop-header exit
    # (offset of an 8-byte absolute call target in the code, call descriptor) per call_f,
    # for executors that relocate calls (an emulator's trap addresses).
    call_sites: list[tuple[int, Any]] = field(default_factory=list)
    call_kinds: list[str] = field(default_factory=list)   # per call_f: arg kinds + result
    # (offset of the 8-byte absolute entry address, descriptor) per call_loop.
    loop_call_sites: list[tuple[int, Any]] = field(default_factory=list)
    input_kinds: str = ""           # kind of each trace input ("i"/"f")
    guard_kinds: list[str] = field(default_factory=list)   # kinds of each guard's fail_args
    reload_offset: int = 0          # loop: entry that reloads the label values from the frame
    # Bridges (see the module docstring); for a loop these describe the loop itself.
    kind: str = "loop"              # "loop" or "bridge"
    first_exit: int = 0             # guard i returns first_exit + i
    loop_frame_size: int = 0        # the loop's frame_size and saved_regs: released by
    loop_saved_regs: list[int] = field(default_factory=list)   # a bridge's exits
    loop_input_kinds: str = ""      # the label a bridge's jump goes to
    reload_address: int = 0         # bridge: absolute address of the loop's reload entry
    holds_gil: bool = False         # loop: called with the GIL held (it reads Python objects)
    _insns: Any = field(default=None, repr=False, compare=False)

    @property
    def is_bridge(self) -> bool:
        return self.kind == "bridge"

    def patch_guard(self, guard_index: int, target_address: int, base: int = 0,
                    absolute: bool | None = None) -> tuple[int, bytes]:
        """Point guard ``guard_index``'s exit at ``target_address`` (a bridge).

        ``base`` is the address the image is loaded at.  The guard's branch is
        pc-relative: when the target is within rel32 range it is retargeted directly;
        otherwise (or with ``absolute=True``) the branch goes to its exit stub and the
        stub starts with an absolute jump to the target.  Updates ``self.code`` and
        returns ``(offset, new_bytes)`` for the executor to write into its mapped copy
        (``NativeCode.patch_guard`` does both); the range may include unchanged bytes.
        """
        if self.arch == "aarch64":
            return self._patch_guard_a64(guard_index, target_address, base, absolute)
        if self.arch != "x86_64":
            raise NotImplementedError(f"guard patching for {self.arch}")
        at, stub = self.guard_offsets[guard_index]
        rel = target_address - (base + at + 4)
        if absolute is None:
            absolute = not -(1 << 31) <= rel < (1 << 31)
        code = bytearray(self.code)
        if not absolute:
            code[at:at + 4] = struct.pack("<i", rel)
            start, end = at, at + 4
        else:
            code[at:at + 4] = struct.pack("<i", stub - (at + 4))
            jump = _ABS_JUMP[0] + struct.pack("<Q", target_address) + _ABS_JUMP[1]
            code[stub:stub + len(jump)] = jump
            start, end = at, stub + len(jump)
        self.code = bytes(code)
        self._insns = None
        return start, self.code[start:end]

    def _patch_guard_a64(self, guard_index: int, target_address: int, base: int,
                         absolute: bool | None) -> tuple[int, bytes]:
        at, stub = self.guard_offsets[guard_index]
        rel = target_address - (base + at)
        direct = -(1 << 20) <= rel < (1 << 20) if absolute is None else not absolute
        code = bytearray(self.code)
        word = _a64_word(code, at)
        if direct:
            struct.pack_into("<I", code, at, _a64_set_imm19(word, rel))
            start, end = at, at + 4
        else:
            struct.pack_into("<I", code, at, _a64_set_imm19(word, stub - at))
            far = target_address - (base + stub)
            if absolute is None and -(1 << 27) <= far < (1 << 27):
                jump = struct.pack("<I", a64_branch(far))
            else:
                jump = a64_abs_jump(stub, target_address)
            code[stub:stub + len(jump)] = jump
            start, end = at, stub + len(jump)
        self.code = bytes(code)
        self._insns = None
        return start, self.code[start:end]

    def guard_target(self, guard_index: int, base: int = 0) -> int:
        """The address guard ``guard_index``'s exit currently goes to (following an
        absolute jump written into its exit stub)."""
        at, stub = self.guard_offsets[guard_index]
        if self.arch == "aarch64":
            target = at + _a64_imm19(_a64_word(self.code, at))
            if target == stub:
                word = _a64_word(self.code, stub)
                if word & 0xFC000000 == _A64_B:
                    imm = word & 0x3FFFFFF
                    return base + stub + 4 * (imm - (1 << 26) if imm >> 25 else imm)
                if word & 0xFF00001F == _A64_LDR_X16 and \
                        _a64_word(self.code, stub + 4) == _A64_BR_X16:
                    return struct.unpack_from("<Q", self.code, stub + _a64_imm19(word))[0]
            return base + target
        (rel,) = struct.unpack_from("<i", self.code, at)
        target = at + 4 + rel
        if target == stub and self.code[stub:stub + 2] == _ABS_JUMP[0] \
                and self.code[stub + 10:stub + 13] == _ABS_JUMP[1]:
            return struct.unpack_from("<Q", self.code, stub + 2)[0]
        return base + target

    # -- listings ------------------------------------------------------------------------
    def instructions(self, base: int = 0) -> list[tuple[int, bytes, str, str]]:
        """``(offset, bytes, mnemonic, operands)`` of the code (capstone, decoded once)."""
        from ...emu.disasm import disassemble
        if self._insns is None or self._insns[0] != base:
            self._insns = (base, disassemble(self.code[:self.code_size], self.arch, base))
        return self._insns[1]

    def op_instructions(self, i: int, base: int = 0) -> list[tuple[int, str, str]]:
        """``(address, mnemonic, operands)`` of the instructions trace op ``i`` emitted
        (its ``op_offsets`` range; a guard's exit stub is not included)."""
        start, end = self.op_offsets[i]
        insns = self.instructions(base)
        k = bisect.bisect_left(insns, start, key=lambda t: t[0])
        out = []
        while k < len(insns) and insns[k][0] < end:
            off, _, mnem, ops = insns[k]
            out.append((base + off, mnem, ops))
            k += 1
        return out

    def owners(self) -> dict[int, int]:
        """Instruction offset -> index of the trace op that emitted it."""
        owner: dict[int, int] = {}
        for i, (start, end) in enumerate(self.op_offsets):
            for addr, _, _ in self.op_instructions(i):
                owner.setdefault(addr, i)
        return owner

    def listing(self, trace: Any = None, base: int = 0) -> str:
        """Machine code listing, each op's IR text above its instructions (bridges
        name their exits by exit number)."""
        from ..ir.trace import Namer, format_op

        insns = self.instructions(base)
        lines: list[str] = []
        owner = self.owners()
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
                k = stubs[off]
                lines.append(f"# exit stub for guard {k}" + (
                    f" (exit {self.first_exit + k})" if self.is_bridge else ""))
            elif off == self.interrupt_offset and self.interrupt_offset:
                current = None
                lines.append("# interrupt exit (frame holds the label values)")
            if off == self.reload_offset and self.reload_offset and not self.is_bridge:
                lines.append("# reload entry (bridges jump here: label values from the frame)")
            if off == 0 and self.is_bridge:
                lines.append("# bridge entry: the parent guard's values to the frame")
            lines.append(f"  {base + off:8x}  {raw.hex():<20} {mnem} {ops}".rstrip())
        return "\n".join(lines)
