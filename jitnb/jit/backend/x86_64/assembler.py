"""x86_64 backend: trace IR -> one System V function ``int64_t loop(int64_t *frame)``.

    regalloc.allocate ─► prologue ─► reload entry: load inputs ─► loop top
        ─► emit_<op> per op
        ─► jump: parallel move into the label locations, poll frame[0], branch back
        ─► interrupt exit ─► exit stubs (one per guard) ─► constant pool

Bridges (``assemble_bridge``) are the same walk with another label and jump: the
entry stores the parent guard's values to the frame and loads them as the bridge's
inputs, the jump stores the label values to the frame and jumps (absolute) to the
loop's reload entry; exits leave through the loop's epilogue.  See
``jitnb.jit.backend.image`` for the protocol.

Register roles::

    r15    the frame pointer argument (callee-saved, survives calls)
    r11    integer scratch      xmm15  float scratch   (never allocated)
    rsp    spill slots at [rsp + 8*k], 16-byte aligned at calls
    allocated: rax rcx rdx rsi rdi r8 r9 r10 rbx r12 r13 r14 rbp / xmm0-xmm14

Raw array ops address ``[base + index*size]`` with a SIB byte when both are in
registers; constant parts fold into the displacement, and r11 holds a constant base
or an offset beyond disp32.  ``call_loop`` stores its arguments and the interrupt
word into the callee's frame array and calls its entry like ``call_f`` (every
caller-saved register emptied by the allocator, rsp 16-aligned).

Each op is emitted after the allocator's moves for it (spills, reloads, evictions);
those are plain ``mov``s, so the flags an ``_ovf`` op or a fused comparison sets
survive until the guard that reads them.  Image layout and exit protocol: see
``jitnb.jit.backend.image``.
"""
from __future__ import annotations

import math
import struct

from ...ir import ops as O
from ...ir.trace import Const, Op, Trace, resolve
from ..common import (ABS_MASK, ELEMENT, INT_REL, MASK64, NAN_SECOND, PYTHON_NAN, SIGN_MASK,
                      AssemblerBase, BridgeContext, call_address, check_loop_call,
                      flags_operand, float_to_int, loop_descr, magic, pow2,
                      raw_int_loads, rel_holds, shift_count, typecode, wrap64)
from ..image import EXIT_INTERRUPT
from ..regalloc import Imm, Location, Reg, Stack
from . import registers as R
from .encoder import FORMS, X86Encoder, mem

FRAME = R.R15
SCRATCH = R.R11
FSCRATCH = R.XMM15
GPRS = (R.RAX, R.RCX, R.RDX, R.RSI, R.RDI, R.R8, R.R9, R.R10,
        R.RBX, R.R12, R.R13, R.R14, R.RBP)
FPRS = tuple(range(R.XMM0, R.XMM15))
SCRATCH_I = Reg(SCRATCH, "i")
SCRATCH_F = Reg(FSCRATCH, "f")
STUB_MIN = 13           # movabs r11, imm64 (10 bytes) + jmp r11 (3 bytes): see image

REL_CC = {"lt": R.CC_L, "ge": R.CC_GE, "le": R.CC_LE, "gt": R.CC_G, "eq": R.CC_E, "ne": R.CC_NE}
CC_REL = {cc: rel for rel, cc in REL_CC.items()}
INT_CC = {num: REL_CC[rel] for num, rel in INT_REL.items()}
SWAP_CC = {R.CC_L: R.CC_G, R.CC_G: R.CC_L, R.CC_LE: R.CC_GE, R.CC_GE: R.CC_LE,
           R.CC_E: R.CC_E, R.CC_NE: R.CC_NE}
# (swap operands, condition) after ucomisd: "above" conditions are false when unordered.
FLOAT_CC = {O.FLOAT_LT: (True, R.CC_A), O.FLOAT_LE: (True, R.CC_AE),
            O.FLOAT_GT: (False, R.CC_A), O.FLOAT_GE: (False, R.CC_AE)}
FUSABLE = set(INT_CC) | set(FLOAT_CC)

# Multi-byte NOPs for aligning the loop header.
_NOPS = [b"", b"\x90", b"\x66\x90", b"\x0f\x1f\x00", b"\x0f\x1f\x40\x00",
         b"\x0f\x1f\x44\x00\x00", b"\x66\x0f\x1f\x44\x00\x00", b"\x0f\x1f\x80\x00\x00\x00\x00",
         b"\x0f\x1f\x84\x00\x00\x00\x00\x00"]
LOOP_ALIGN = 16


def _fits32(v: int) -> bool:
    return -(1 << 31) <= v < (1 << 31)


class Assembler(AssemblerBase, arch="x86_64", gprs=GPRS, fprs=FPRS,
                scratch=(SCRATCH_I, SCRATCH_F), stub_min=STUB_MIN, fusable=FUSABLE,
                result_reg=R.RAX):
    """x86_64 code for one trace; the walk (``assemble()``) is ``AssemblerBase``'s."""

    @staticmethod
    def clobbers(op: Op) -> list[Reg]:
        """Registers an op's code destroys (besides the scratch registers)."""
        num = op.num
        if num in (O.INT_FLOORDIV, O.INT_MOD):
            b = resolve(op.args[1])
            if isinstance(b, Const) and (b.value in (-1, 0) or pow2(b.value) is not None):
                return []
            return [Reg(R.RAX, "i"), Reg(R.RDX, "i")]
        if num in (O.INT_LSHIFT, O.INT_RSHIFT):
            return [] if isinstance(resolve(op.args[1]), Const) else [Reg(R.RCX, "i")]
        if num in (O.CALL_F, O.CALL_I, O.CALL_LOOP, O.CALL_PY):
            return ([Reg(r, "i") for r in GPRS if r in R.CALLER_SAVED_GPRS]
                    + [Reg(x, "f") for x in FPRS])
        return []

    @staticmethod
    def reuse(op: Op) -> tuple[int, ...]:
        """Arguments whose register the result may take over (computed in place)."""
        if op.num in NAN_SECOND:
            return (1,) if NAN_SECOND[op.num] else (0,)
        return (0, 1) if op.desc.commutative else (0,)

    def __init__(self, trace: Trace, bridge: BridgeContext | None = None) -> None:
        super().__init__(trace, bridge)
        self.consts: dict[int, list[int]] = {}      # bit pattern -> rel32 fields

    # -- driver --------------------------------------------------------------------------
    def new_encoder(self) -> X86Encoder:
        return X86Encoder()

    def setup_frame(self) -> None:
        """Callee-saved registers to push and the spill area, rsp 16-aligned in the body."""
        bridge = self.bridge
        used = [r for r in R.CALLEE_SAVED_GPRS if Reg(r, "i") in self.alloc.used_regs]
        if bridge is None:
            # Entered by a call: the return address makes rsp 8 mod 16.
            self.saved = [r for r in R.CALLEE_SAVED_GPRS if r in used or r == FRAME]
            below = 8
        else:
            # Entered at the loop body's stack level (16-byte aligned); only registers
            # the loop's prologue did not save need saving here.
            self.saved = [r for r in used if r not in bridge.loop_saved_regs]
            below = 0
        frame = 8 * self.alloc.stack_slots
        if (below + 8 * len(self.saved) + frame) % 16:
            frame += 8
        self.frame_bytes = frame

    def link_guard(self, site: int, stub: int) -> None:
        self.enc.patch_rel32(site, stub)

    def trap(self) -> None:
        self.enc.INT3()

    def constant_pool(self) -> bytes:
        enc = self.enc
        while enc.pos % 8:
            enc.INT3()
        for bits, fields in self.consts.items():
            at = enc.pos
            enc.buf += struct.pack("<Q", bits)
            for f in fields:
                enc.patch_rel32(f, at)
        return enc.bytes()

    # -- prologue / epilogue -------------------------------------------------------------
    def prologue(self) -> None:
        enc = self.enc
        for r in self.saved:
            enc.PUSH_r(r)
        if self.frame_bytes:
            enc.SUB_ri(R.RSP, self.frame_bytes)
        enc.MOV_rr(FRAME, R.RDI)

    def release(self) -> None:
        """Undo this code's own prologue (a bridge: back to the loop body's level)."""
        enc = self.enc
        if self.frame_bytes:
            enc.ADD_ri(R.RSP, self.frame_bytes)
        for r in reversed(self.saved):
            enc.POP_r(r)

    def epilogue(self) -> None:
        """Leave the machine code (rax holds the exit number)."""
        enc = self.enc
        self.release()
        if self.bridge is not None:
            if self.bridge.loop_frame_size:
                enc.ADD_ri(R.RSP, self.bridge.loop_frame_size)
            for r in reversed(self.bridge.loop_saved_regs):
                enc.POP_r(r)
        enc.RET()

    # -- small encoding helpers ----------------------------------------------------------
    def rip(self, name: str, reg: int, bits: int) -> None:
        """``<name> reg, [rip + constant]`` for an SSE form of the encoder's table."""
        form = FORMS[name]
        rex = 0x40 | form.w << 3 | (reg >> 3) << 2
        code = form.prefix + (bytes([rex]) if rex != 0x40 else b"") + form.opcode
        start = self.enc._put(code + bytes([(reg & 7) << 3 | 5]) + b"\0\0\0\0")
        self.consts.setdefault(bits & 0xFFFFFFFFFFFFFFFF, []).append(start + len(code) + 1)

    def sse_mem(self, name: str, reg: int, base: int, disp: int) -> None:
        """``<name> reg, [base + disp]`` for an SSE ``_xx`` form of the encoder's table."""
        form = FORMS[name]
        self.enc._emit(form.opcode, reg, mem(base, disp), w=form.w, prefix=form.prefix)

    def store_imm64(self, base: int, disp: int, value: int) -> None:
        """Store a 64-bit constant without a scratch register (two 32-bit stores)."""
        value &= 0xFFFFFFFFFFFFFFFF
        if _fits32(value - (1 << 64) if value >> 63 else value):
            self.enc.MOV_mi(base, disp, value - (1 << 64) if value >> 63 else value)
            return
        for half, d in ((value & 0xFFFFFFFF, disp), (value >> 32, disp + 4)):
            self.enc._emit(b"\xc7", 0, mem(base, d), w=False, tail=struct.pack("<I", half))

    def movabs(self, reg: int, value: int) -> int:
        """``mov reg, imm64`` always in its 10-byte form; returns the imm64's offset."""
        start = self.enc._emit_plus(0xB8, reg, tail=struct.pack("<Q", value & 0xFFFFFFFFFFFFFFFF))
        return start + 2

    def jcc8(self, cc: int) -> int:
        """Short conditional forward branch; returns the offset of its disp8."""
        self.enc.buf += bytes([0x70 | cc, 0])
        return self.enc.pos - 1

    def jmp8(self) -> int:
        self.enc.buf += b"\xeb\x00"
        return self.enc.pos - 1

    def land8(self, at: int) -> None:
        """Make the short branch whose disp8 is at ``at`` land here."""
        disp = self.enc.pos - (at + 1)
        assert -128 <= disp <= 127
        self.enc.buf[at] = disp & 0xFF

    # -- moves ---------------------------------------------------------------------------
    def spill(self, src: Location, d: int, kind: str) -> None:
        """``[rsp + d] := src``.  Uses only the *other* kind's scratch register (stack
        to stack), so a parallel move may keep a value of this kind in its scratch."""
        self.store_word(R.RSP, d, src, via_float=kind == "i")

    def copy(self, dst: int, src: int, kind: str) -> None:
        (self.enc.MOV_rr if kind == "i" else self.enc.MOVAPD_xx)(dst, src)

    def load_slot(self, reg: int, d: int, kind: str) -> None:
        (self.enc.MOV_rm if kind == "i" else self.enc.MOVSD_xm)(reg, R.RSP, d)

    def load_bits(self, reg: int, bits: int, kind: str) -> None:
        if kind == "i":
            self.enc.MOV_ri(reg, bits)
        else:
            self.rip("MOVSD_xm", reg, bits)

    def store_word(self, base: int, disp: int, loc: Location, via_float: bool) -> None:
        """``[base + disp] := loc`` (8 bytes); a spill slot is copied through the float
        scratch register if ``via_float``, else through the integer one."""
        enc = self.enc
        if isinstance(loc, Reg):
            if loc.kind == "i":
                enc.MOV_mr(base, disp, loc.num)
            else:
                enc.MOVSD_mx(base, disp, loc.num)
        elif isinstance(loc, Stack):
            if via_float:
                enc.MOVSD_xm(FSCRATCH, R.RSP, 8 * loc.slot)
                enc.MOVSD_mx(base, disp, FSCRATCH)
            else:
                enc.MOV_rm(SCRATCH, R.RSP, 8 * loc.slot)
                enc.MOV_mr(base, disp, SCRATCH)
        else:
            self.store_imm64(base, disp, self.imm_bits(loc))

    def store_frame(self, j: int, loc: Location) -> None:
        """frame[1 + j] := loc."""
        self.store_word(FRAME, 8 * (1 + j), loc, via_float=False)

    # -- operand helpers -----------------------------------------------------------------
    def xmm(self, loc: Location) -> int:
        """An XMM register holding ``loc`` (the float scratch if it is not in one)."""
        if isinstance(loc, Reg):
            return loc.num
        self.load_float(FSCRATCH, loc)
        return FSCRATCH

    def sse(self, name: str, xreg: int, src: Location) -> None:
        """``<name> xreg, src`` with src a register, spill slot or pool constant."""
        if isinstance(src, Reg):
            getattr(self.enc, name + "_xx")(xreg, src.num)
        elif isinstance(src, Stack):
            self.sse_mem(name + "_xx", xreg, R.RSP, 8 * src.slot)
        else:
            self.rip(name + "_xx", xreg, self.imm_bits(src))

    def alu(self, mn: str, dst: int, src: Location) -> None:
        """``<mn> dst, src`` for ADD/SUB/AND/OR/XOR/CMP/IMUL with a register or constant."""
        enc = self.enc
        if isinstance(src, Imm):
            v = src.value
            if _fits32(v):
                if mn == "IMUL":
                    enc.IMUL_rri(dst, dst, v)
                else:
                    getattr(enc, mn + "_ri")(dst, v)
                return
            assert dst != SCRATCH
            enc.MOV_ri(SCRATCH, v)
            src = SCRATCH_I
        assert isinstance(src, Reg), src
        getattr(enc, mn + "_rr")(dst, src.num)

    def cmp_int(self, x: Location, y: Location, cc: int) -> int:
        """Compare two integer operands; returns the condition code to test."""
        if isinstance(x, Imm) and isinstance(y, Imm):
            # Both constant: make flags that give the known answer for cc.
            truth = rel_holds(CC_REL[cc], x.value, y.value)
            c = flags_operand(CC_REL[cc], truth)
            self.enc.MOV_ri(SCRATCH, 0)
            self.enc.CMP_ri(SCRATCH, c)
            return cc
        if isinstance(x, Imm):
            x, y, cc = y, x, SWAP_CC[cc]
        assert isinstance(x, Reg)
        self.alu("CMP", x.num, y)
        return cc

    def setcc(self, cc: int, res: int, zeroed: bool) -> None:
        self.enc.SETcc_r(cc, res)
        if not zeroed:
            self.enc.MOVZX8_rr(res, res)

    # -- label / jump / finish -----------------------------------------------------------
    def load_input(self, d: int, loc: Location) -> None:
        """A label input from ``[frame + d]`` to its location."""
        enc = self.enc
        if isinstance(loc, Reg):
            if loc.kind == "i":
                enc.MOV_rm(loc.num, FRAME, d)
            else:
                enc.MOVSD_xm(loc.num, FRAME, d)
        else:
            enc.MOV_rm(SCRATCH, FRAME, d)
            enc.MOV_mr(R.RSP, 8 * loc.slot, SCRATCH)

    def align_loop(self) -> None:
        enc = self.enc
        pad = -enc.pos % LOOP_ALIGN
        while pad:
            step = min(pad, len(_NOPS) - 1)
            enc.buf += _NOPS[step]
            pad -= step

    def bridge_entry(self) -> None:
        """The parent guard's values to frame[1 + j] (what its exit stub would do), the
        parent bridge's stack released, then this bridge's own prologue."""
        enc = self.enc
        b = self.bridge
        for j, loc in enumerate(b.parent_locs):
            self.store_frame(j, loc)
        if b.parent_frame_size:
            enc.ADD_ri(R.RSP, b.parent_frame_size)
        for r in reversed(b.parent_saved_regs):
            enc.POP_r(r)
        for r in self.saved:
            enc.PUSH_r(r)
        if self.frame_bytes:
            enc.SUB_ri(R.RSP, self.frame_bytes)

    def branch_back(self) -> None:
        """Poll the interrupt word: cmp qword [r15], 0; je loop_top."""
        enc = self.enc
        enc._emit(b"\x83", 7, mem(FRAME, 0), tail=b"\x00")
        at = enc.Jcc_j(R.CC_E, 0)
        enc.patch_rel32(at, self.loop_top)

    def to_reload_entry(self) -> None:
        """Unless interrupted, jump to the loop's reload entry; else leave."""
        enc = self.enc
        enc._emit(b"\x83", 7, mem(FRAME, 0), tail=b"\x00")
        at = self.jcc8(R.CC_NE)
        self.movabs(SCRATCH, self.bridge.reload_address)
        enc.JMP_r(SCRATCH)
        self.land8(at)
        self.interrupt_offset = enc.pos
        enc.MOV_ri(R.RAX, EXIT_INTERRUPT)
        # The bridge's own stack is already released: only the loop's remains.
        if self.bridge.loop_frame_size:
            enc.ADD_ri(R.RSP, self.bridge.loop_frame_size)
        for r in reversed(self.bridge.loop_saved_regs):
            enc.POP_r(r)
        enc.RET()

    # -- guards --------------------------------------------------------------------------
    def guard(self, cc_fail: int, op: Op, a) -> None:
        """Branch to the (later emitted) exit stub when ``cc_fail`` holds."""
        field = self.enc.Jcc_j(cc_fail, 0)
        self.guard_sites.append((field, op, a.fail_locs))

    def test_arg(self, loc: Location) -> None:
        if not isinstance(loc, Reg):
            self.load_int(SCRATCH, loc)
            loc = SCRATCH_I
        self.enc.TEST_rr(loc.num, loc.num)

    def emit_guard_true(self, op: Op, a) -> None:
        if self.pending_cc is not None:
            cc, self.pending_cc = R.cc_invert(self.pending_cc), None
        else:
            self.test_arg(a.args[0])
            cc = R.CC_E
        self.guard(cc, op, a)

    def emit_guard_false(self, op: Op, a) -> None:
        if self.pending_cc is not None:
            cc, self.pending_cc = self.pending_cc, None
        else:
            self.test_arg(a.args[0])
            cc = R.CC_NE
        self.guard(cc, op, a)

    def emit_guard_no_overflow(self, op: Op, a) -> None:
        self.guard(R.CC_O, op, a)

    def emit_guard_overflow(self, op: Op, a) -> None:
        self.guard(R.CC_NO, op, a)

    def emit_guard_value(self, op: Op, a) -> None:
        cc = self.cmp_int(a.args[0], a.args[1], R.CC_E)
        self.guard(R.cc_invert(cc), op, a)

    # -- integer arithmetic --------------------------------------------------------------
    def int_binop(self, mn: str, a, swappable: bool) -> None:
        res = a.result.num
        x, y = a.args
        if isinstance(y, Reg) and y.num == res and x != y:
            if swappable:
                x, y = y, x
            else:
                self.load_int(SCRATCH, x)
                self.alu(mn, SCRATCH, y)
                self.enc.MOV_rr(res, SCRATCH)
                return
        self.load_int(res, x)
        self.alu(mn, res, y)

    def emit_int_add(self, op, a): self.int_binop("ADD", a, True)
    def emit_int_sub(self, op, a): self.int_binop("SUB", a, False)
    def emit_int_mul(self, op, a): self.int_binop("IMUL", a, True)
    def emit_int_and(self, op, a): self.int_binop("AND", a, True)
    def emit_int_or(self, op, a): self.int_binop("OR", a, True)
    def emit_int_xor(self, op, a): self.int_binop("XOR", a, True)
    # The _ovf forms leave OF set for the guard that follows (moves keep the flags).
    def emit_int_add_ovf(self, op, a): self.int_binop("ADD", a, True)
    def emit_int_sub_ovf(self, op, a): self.int_binop("SUB", a, False)
    def emit_int_mul_ovf(self, op, a): self.int_binop("IMUL", a, True)

    def emit_int_neg(self, op, a) -> None:
        self.load_int(a.result.num, a.args[0])
        self.enc.NEG_r(a.result.num)

    def emit_int_invert(self, op, a) -> None:
        self.load_int(a.result.num, a.args[0])
        self.enc.NOT_r(a.result.num)

    def shift(self, op, a, right: bool) -> None:
        enc = self.enc
        res = a.result.num
        x, y = a.args
        if isinstance(y, Imm):
            n = shift_count(y.value, right)
            self.load_int(res, x)
            if n:
                (enc.SAR_ri if right else enc.SHL_ri)(res, n)
            return
        self.load_int(SCRATCH, x)      # before rcx is overwritten
        self.load_int(R.RCX, y)
        if right:                       # count = min(count, 63), unsigned
            enc.CMP_ri(R.RCX, 63)
            at = self.jcc8(R.CC_BE)
            enc.MOV_ri(R.RCX, 63)
            self.land8(at)
        (enc.SAR_rcl if right else enc.SHL_rcl)(SCRATCH)
        enc.MOV_rr(res, SCRATCH)

    def emit_int_lshift(self, op, a): self.shift(op, a, False)
    def emit_int_rshift(self, op, a): self.shift(op, a, True)

    def divmod(self, op, a, mod: bool) -> None:
        """Python floor division / modulo: idiv truncates, then step towards -inf
        when the remainder is nonzero and its sign differs from the divisor's.

        Divisors -1 and 0 never reach idiv (MIN // -1 and x // 0 trap, and a trap
        would kill the process): -1 negates, 0 gives 0.  The recorder guards against
        a zero divisor, so the 0 is never observed."""
        enc = self.enc
        res = a.result.num
        x, y = a.args
        if isinstance(y, Imm) and y.value in (-1, 0):
            self.load_int(res, x)
            if mod or y.value == 0:
                enc.MOV_ri(res, 0)
            else:
                enc.NEG_r(res)
            return
        if isinstance(y, Imm) and pow2(y.value) is not None:
            self.load_int(res, x)
            if mod:
                self.alu("AND", res, Imm(y.value - 1, "i"))
            elif y.value > 1:
                enc.SAR_ri(res, pow2(y.value))
            return
        if isinstance(y, Imm):
            self.divmod_by_constant(res, x, y.value, mod)
            return
        self.load_int(SCRATCH, y)
        self.load_int(R.RAX, x)
        enc.LEA_rm(R.RDX, SCRATCH, 1)
        enc.CMP_ri(R.RDX, 1)
        special = self.jcc8(R.CC_BE)     # d + 1 in {0, 1} unsigned: d is -1 or 0
        enc.CQO()
        enc.IDIV_r(SCRATCH)              # rax = trunc quotient, rdx = remainder
        enc.TEST_rr(R.RDX, R.RDX)
        exact = self.jcc8(R.CC_E)
        if mod:
            enc.MOV_rr(R.RAX, R.RDX)
            enc.XOR_rr(R.RAX, SCRATCH)
            same_sign = self.jcc8(R.CC_NS)
            enc.ADD_rr(R.RDX, SCRATCH)
        else:
            enc.XOR_rr(R.RDX, SCRATCH)
            same_sign = self.jcc8(R.CC_NS)
            enc.SUB_ri(R.RAX, 1)
        done = self.jmp8()
        self.land8(special)
        if mod:
            enc.MOV_ri(R.RDX, 0)
        else:
            enc.IMUL_rr(R.RAX, SCRATCH)  # n * d: -n (wrapping) for -1, 0 for 0
        for at in (exact, same_sign, done):
            self.land8(at)
        enc.MOV_rr(res, R.RDX if mod else R.RAX)

    def divmod_by_constant(self, res: int, x: Location, d: int, mod: bool) -> None:
        """Floor division by a constant (|d| >= 2, not a power of two) without idiv:
        truncated quotient by a magic multiplier, then the floor step.  After
        ``r = n - q*d`` the flags hold r's sign exactly (|r| < |d|: no overflow)."""
        enc = self.enc
        m, shift = magic(d)
        self.load_int(SCRATCH, x)                 # n
        enc.MOV_ri(R.RAX, m)
        enc._emit(b"\xf7", 5, SCRATCH)             # imul r11: rdx:rax = m * n
        if d > 0 and m < 0:
            enc.ADD_rr(R.RDX, SCRATCH)
        elif d < 0 and m > 0:
            enc.SUB_rr(R.RDX, SCRATCH)
        if shift:
            enc.SAR_ri(R.RDX, shift)
        enc.MOV_rr(R.RAX, R.RDX)
        enc.SHR_ri(R.RAX, 63)
        enc.ADD_rr(R.RDX, R.RAX)                  # rdx = trunc(n / d)
        if _fits32(d):
            enc.IMUL_rri(R.RAX, R.RDX, d)
        else:
            enc.MOV_ri(R.RAX, d)
            enc.IMUL_rr(R.RAX, R.RDX)
        enc.SUB_rr(SCRATCH, R.RAX)                # r11 = n - q*d
        exact = self.jcc8(R.CC_GE if d > 0 else R.CC_LE)   # r has d's sign, or is 0
        if mod:
            enc.MOV_ri(R.RAX, d)
            enc.ADD_rr(SCRATCH, R.RAX)
        else:
            enc.SUB_ri(R.RDX, 1)
        self.land8(exact)
        enc.MOV_rr(res, SCRATCH if mod else R.RDX)

    def emit_int_floordiv(self, op, a): self.divmod(op, a, False)
    def emit_int_mod(self, op, a): self.divmod(op, a, True)

    # -- comparisons ---------------------------------------------------------------------
    def int_compare(self, op, a) -> None:
        x, y = a.args
        res = None if a.fused else a.result.num
        zeroed = res is not None and a.result not in (x, y)
        if zeroed:
            self.enc.XOR_rr(res, res)
        cc = self.cmp_int(x, y, INT_CC[op.num])
        if a.fused:
            self.pending_cc = cc
        else:
            self.setcc(cc, res, zeroed)

    emit_int_lt = emit_int_ge = emit_int_le = emit_int_gt = int_compare
    emit_int_eq = emit_int_ne = int_compare

    def float_compare(self, op, a) -> None:
        swap, cc = FLOAT_CC[op.num]
        x, y = a.args
        if swap:
            x, y = y, x
        res = None if a.fused else a.result.num
        if res is not None:
            self.enc.XOR_rr(res, res)
        self.sse("UCOMISD", self.xmm(x), y)
        if a.fused:
            self.pending_cc = cc
        else:
            self.enc.SETcc_r(cc, res)

    emit_float_lt = emit_float_ge = emit_float_le = emit_float_gt = float_compare

    def float_equality(self, op, a) -> None:
        """eq: ZF=1 and PF=0; ne: ZF=0 or PF=1 (unordered sets both ZF and PF)."""
        enc = self.enc
        res = a.result.num
        x, y = a.args
        enc.XOR_rr(res, res)
        enc.XOR_rr(SCRATCH, SCRATCH)
        self.sse("UCOMISD", self.xmm(x), y)
        if op.num == O.FLOAT_EQ:
            enc.SETcc_r(R.CC_NP, res)
            enc.SETcc_r(R.CC_E, SCRATCH)
            enc.AND_rr(res, SCRATCH)
        else:
            enc.SETcc_r(R.CC_P, res)
            enc.SETcc_r(R.CC_NE, SCRATCH)
            enc.OR_rr(res, SCRATCH)

    emit_float_eq = emit_float_ne = float_equality

    # -- float arithmetic ----------------------------------------------------------------
    def float_binop(self, name: str, op, a) -> None:
        res = a.result.num
        x, y = a.args
        if NAN_SECOND.get(op.num):
            x, y = y, x                  # computed as y (op) x, the way CPython does
        if isinstance(y, Reg) and y.num == res and x != y:
            self.load_float(FSCRATCH, x)
            self.sse(name, FSCRATCH, y)
            self.enc.MOVAPD_xx(res, FSCRATCH)
            return
        self.load_float(res, x)
        self.sse(name, res, y)

    def emit_float_add(self, op, a): self.float_binop("ADDSD", op, a)
    def emit_float_sub(self, op, a): self.float_binop("SUBSD", op, a)
    def emit_float_mul(self, op, a): self.float_binop("MULSD", op, a)
    def emit_float_truediv(self, op, a): self.float_binop("DIVSD", op, a)

    def emit_float_neg(self, op, a) -> None:
        res = a.result.num
        self.load_float(res, a.args[0])
        self.rip("MOVSD_xm", FSCRATCH, SIGN_MASK)
        self.enc.XORPD_xx(res, FSCRATCH)

    def emit_float_abs(self, op, a) -> None:
        res = a.result.num
        self.load_float(res, a.args[0])
        self.rip("MOVSD_xm", FSCRATCH, ABS_MASK)
        self.enc.ANDPD_xx(res, FSCRATCH)

    def emit_float_sqrt(self, op, a) -> None:
        """sqrt(x) for x >= 0, else Python's NaN (sqrtsd would give the negative
        default NaN, or keep a NaN argument's payload)."""
        enc = self.enc
        res = a.result.num
        (x,) = a.args
        if self.float_constant(res, x, lambda v: math.sqrt(v) if v >= 0 else math.nan):
            return
        xr = self.xmm(x)
        if xr == FSCRATCH:
            enc.MOVAPD_xx(res, FSCRATCH)
            xr = res
        enc.XORPD_xx(FSCRATCH, FSCRATCH)
        enc.UCOMISD_xx(xr, FSCRATCH)     # CF=0 iff x >= 0 (and ordered)
        enc.SQRTSD_xx(res, xr)
        at = self.jcc8(R.CC_AE)
        self.rip("MOVSD_xm", res, PYTHON_NAN)
        self.land8(at)

    def emit_cast_int_to_float(self, op, a) -> None:
        res = a.result.num
        (x,) = a.args
        if self.float_constant(res, x, float):
            return
        self.enc.XORPD_xx(res, res)      # cvtsi2sd only writes the low half
        self.enc.CVTSI2SD_xr(res, x.num)

    def emit_cast_float_to_int(self, op, a) -> None:
        """cvttsd2si gives 0x8000000000000000 for NaN/inf/out of range, as the IR says."""
        res = a.result.num
        (x,) = a.args
        if isinstance(x, Imm):
            self.enc.MOV_ri(res, float_to_int(x.value))
            return
        self.enc.CVTTSD2SI_rx(res, self.xmm(x))

    # -- calls ---------------------------------------------------------------------------
    # System V: float args in xmm0.., int args in rdi..; result in xmm0.
    ARG_REGS = (R.ARG_GPRS, R.ARG_XMMS)
    FLOAT_RESULT = R.XMM0

    def call_target(self, descr) -> None:
        """Always movabs, so an emulator can find and relocate the 8-byte target."""
        self.call_sites.append((self.movabs(SCRATCH, call_address(descr)), descr))
        self.enc.CALL_r(SCRATCH)

    def store_call_buffer(self, address: int, args: list[Location]) -> None:
        enc = self.enc
        enc.MOV_ri(SCRATCH, address)
        for k, loc in enumerate(args):
            self.store_word(SCRATCH, 8 * (1 + k), loc, via_float=True)
        enc.MOV_rr(R.RDI, SCRATCH)

    def emit_call_loop(self, op: Op, a) -> None:
        """Run another compiled loop on its own frame array: its inputs to
        frame'[1 + k] (floats as raw bits), this loop's interrupt word to frame'[0],
        ``call entry(frame')``; the result is its exit number (rax).  The allocator
        has emptied every caller-saved register of live values; rsp is 16-aligned."""
        d = op.descr
        frame_address, entry = loop_descr(d)
        check_loop_call(op)
        enc = self.enc
        enc.MOV_ri(SCRATCH, frame_address)
        for k, loc in enumerate(a.args):
            self.store_word(SCRATCH, 8 * (1 + k), loc, via_float=True)
        enc.MOV_rm(R.RAX, FRAME, 0)                 # pass the interrupt word on
        enc.MOV_mr(SCRATCH, 0, R.RAX)
        enc.MOV_rr(R.RDI, SCRATCH)
        self.loop_call_sites.append((self.movabs(SCRATCH, entry), d))
        enc.CALL_r(SCRATCH)
        if a.result.num != R.RAX:
            enc.MOV_rr(a.result.num, R.RAX)

    # -- raw memory ----------------------------------------------------------------------
    def raw_address(self, base: Location, index: Location, size: int):
        """The memory operand ``[base + index * size]`` (SIB where both are registers;
        constant parts folded; r11 holds what does not fit in an operand)."""
        if isinstance(base, Imm):
            if isinstance(index, Imm):
                self.enc.MOV_ri(SCRATCH, (base.value + index.value * size) & MASK64)
                return mem(SCRATCH, 0)
            self.enc.MOV_ri(SCRATCH, base.value & MASK64)
            return mem(SCRATCH, 0, index.num, size)
        if isinstance(index, Imm):
            off = wrap64(index.value * size)
            if _fits32(off):
                return mem(base.num, off)
            self.enc.MOV_ri(SCRATCH, off & MASK64)
            return mem(base.num, 0, SCRATCH, 1)
        return mem(base.num, 0, index.num, size)

    def mem_form(self, name: str, reg: int, m, tail: bytes = b"") -> None:
        form = FORMS[name]
        self.enc._emit(form.opcode, reg, m, w=form.w, prefix=form.prefix, tail=tail,
                       force_rex=form.byte_regs and 4 <= reg < 8)

    def emit_getarrayitem_raw_i(self, op: Op, a) -> None:
        code = typecode(op.descr, "int")
        m = self.raw_address(a.args[0], a.args[1], ELEMENT[code])
        self.mem_form(LOAD_INT[code], a.result.num, m)

    def emit_getarrayitem_raw_f(self, op: Op, a) -> None:
        code = typecode(op.descr, "float")
        m = self.raw_address(a.args[0], a.args[1], ELEMENT[code])
        res = a.result.num
        if code == "d":
            self.mem_form("MOVSD_xa", res, m)
        else:
            self.mem_form("MOVSS_xa", res, m)
            self.enc.CVTSS2SD_xx(res, res)

    # fields and items of Python objects are loaded as raw memory is
    emit_getarrayitem_gc_i = emit_getarrayitem_raw_i
    emit_getarrayitem_gc_f = emit_getarrayitem_raw_f

    def emit_setarrayitem_raw_i(self, op: Op, a) -> None:
        code = typecode(op.descr, "int")
        size = ELEMENT[code]
        value = a.args[2]
        m = self.raw_address(a.args[0], a.args[1], size)
        if isinstance(value, Reg):
            self.mem_form(STORE_INT[size], value.num, m)
        else:
            self.store_imm(m, value.value, size)

    def store_imm(self, m, value: int, size: int) -> None:
        """Store the low ``size`` bytes of a constant (no register needed)."""
        enc = self.enc
        value &= (1 << (8 * size)) - 1
        if size == 1:
            enc._emit(b"\xc6", 0, m, w=False, tail=struct.pack("<B", value))
        elif size == 2:
            enc._emit(b"\xc7", 0, m, w=False, prefix=b"\x66", tail=struct.pack("<H", value))
        elif size == 4:
            enc._emit(b"\xc7", 0, m, w=False, tail=struct.pack("<I", value))
        elif _fits32(wrap64(value)):
            enc._emit(b"\xc7", 0, m, tail=struct.pack("<i", wrap64(value)))
        else:
            enc._emit(b"\xc7", 0, m, w=False, tail=struct.pack("<I", value & 0xFFFFFFFF))
            hi = m._replace(disp=m.disp + 4)
            enc._emit(b"\xc7", 0, hi, w=False, tail=struct.pack("<I", value >> 32))

    def emit_setarrayitem_raw_f(self, op: Op, a) -> None:
        code = typecode(op.descr, "float")
        value = a.args[2]
        m = self.raw_address(a.args[0], a.args[1], ELEMENT[code])
        if code == "d":
            if isinstance(value, Reg):
                self.mem_form("MOVSD_ax", value.num, m)
            else:
                self.store_imm(m, self.imm_bits(value), 8)
            return
        # float32: round to nearest like C's (float) cast (inf beyond the range)
        src = value.num if isinstance(value, Reg) else self.xmm(value)
        self.enc.CVTSD2SS_xx(FSCRATCH, src)
        self.mem_form("MOVSS_ax", FSCRATCH, m)


# Raw array element loads and stores (element sizes: common.ELEMENT).
LOAD_INT = raw_int_loads({1: "MOVSX8_ra", 2: "MOVSX16_ra", 4: "MOVSXD_ra", 8: "MOV_ra"},
                         {1: "MOVZX8_ra", 2: "MOVZX16_ra", 4: "MOV32_ra", 8: "MOV_ra"})
STORE_INT = {1: "MOV8_ar", 2: "MOV16_ar", 4: "MOV32_ar", 8: "MOV_ar"}

assemble = Assembler.assemble_loop
assemble_bridge = Assembler.assemble_bridge
