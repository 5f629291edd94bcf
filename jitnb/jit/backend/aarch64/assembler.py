"""AArch64 backend: trace IR -> one AAPCS64 function ``int64_t loop(int64_t *frame)``.

    regalloc.allocate ─► prologue ─► reload entry: load inputs ─► loop top
        ─► emit_<op> per op
        ─► jump: parallel move into the label locations, poll frame[0], branch back
        ─► interrupt exit ─► exit stubs (one per guard) ─► slow paths ─► literal pool

Bridges (``assemble_bridge``) are the same walk with another label and jump: the
entry stores the parent guard's values to the frame and loads them as the bridge's
inputs, the jump stores the label values to the frame and jumps (absolute, through a
literal) to the loop's reload entry; exits leave through the loop's epilogue.  See
``jitnb.jit.backend.image`` for the protocol and ``common`` for the shared walk.

Register roles::

    x28      the frame pointer argument (callee-saved, survives calls)
    x16 x17  integer scratch (IP0/IP1)     d31 d30  float scratch   (never allocated)
    x29 x30  frame record, pushed by the loop's prologue; x18 (platform) is not used
    sp       spill slots at [sp + 8*k], the save area above them; always 16-aligned
    allocated: x0-x15 x19-x27 / d0-d7 d16-d29 d8-d15

Stack of a loop, from high to low addresses: the frame record (x29, x30), the save
area (``saved_regs``, 8 bytes each; float registers are numbered 32 + n; padded so
that both areas together are a multiple of 16 bytes), the spill slots
(``frame_size`` bytes).  A bridge entered at the loop body's level adds its own save area (the
callee-saved registers the loop did not save) and spill slots the same way.

Guards are ``b.cond``/``cbz``/``cbnz`` to their exit stubs (imm19: +-1 MiB; see
``image`` for patching).  Overflow: ``adds``/``subs`` set V; ``int_mul_ovf`` compares
``smulh`` with the sign of ``mul`` (NE: overflow).  Python floor division and modulo
are ``sdiv`` + ``msub`` and a sign fixup; a constant divisor multiplies by a magic
number.  Calls load their 8-byte target from the literal pool (``call_sites`` and
``loop_call_sites`` give the literal's offset) and ``blr x16``.  No fused multiply-add
is ever emitted.

Floats: where this host's CPython follows x86's NaN rules (first NaN operand wins, an
invalid operation gives the negative default NaN), float add/sub/mul/div check for a
NaN result and fix it up out of line, so the code stays bit-identical to CPython.
That happens only when the code runs in an emulator (an AArch64 host has its own
rules), where each float instruction is a helper call and each conditional branch
ends a translation block, so the check is batched: a run of consecutive float
operations keeps the largest ``bits << 1`` of its results in x17 (integer
instructions only) and branches once, after the run, when that is a NaN's.  The
out-of-line path replays the run from its inputs, each operation followed by its
own check and fixup: an input the run overwrites is first stored to one of
``NAN_SAVES`` stack slots above the spill slots (the run ends when they are used up),
and the replay reloads it, so it computes the same values in order.
"""
from __future__ import annotations

import math
import struct

from ...ir import ops as O
from ...ir.trace import Op, Trace
from ..common import (ELEMENT, FLOAT_REL, HOST_DEFAULT_NAN, HOST_NAN_RULES, INT_REL, MASK64,
                      NAN_SECOND, PYTHON_NAN, QUIET_BIT, SWAP_REL, AssemblerBase,
                      BridgeContext, call_address, check_loop_call, const_divmod,
                      flags_operand, float_to_int, loop_descr, magic, pow2,
                      raw_int_loads, rel_holds, shift_count, typecode, wrap64)
from ..image import EXIT_INTERRUPT, STUB_MINS
from ..regalloc import Imm, Location, Reg, Stack
from . import registers as R
from .encoder import A64Encoder, _halfwords, _wide_plan, encode_bitmask

FRAME = R.X28
SCRATCH = R.X16
SCRATCH2 = R.X17
FSCRATCH = R.D31
FSCRATCH2 = R.D30
SP = R.SP
XZR = R.XZR
GPRS = tuple(range(R.X0, R.X16)) + tuple(range(R.X19, R.X28))
FPRS = tuple(range(R.D0, R.D8)) + tuple(range(R.D16, R.D30)) + tuple(range(R.D8, R.D16))
SCRATCH_I = Reg(SCRATCH, "i")
SCRATCH_F = Reg(FSCRATCH, "f")
STUB_MIN = STUB_MINS["aarch64"]
FLOAT_SAVE = 32             # saved_regs: a float register d<n> is listed as 32 + n
CALLER_SAVED = ([Reg(r, "i") for r in GPRS if r in R.CALLER_SAVED_GPRS]
                + [Reg(d, "f") for d in FPRS if d in R.CALLER_SAVED_FPRS])

INT_CC = {"lt": R.LT, "ge": R.GE, "le": R.LE, "gt": R.GT, "eq": R.EQ, "ne": R.NE}
# After fcmp an unordered pair sets C and V: mi, ls, gt, ge and eq are then false.
FLOAT_CC = {"lt": R.MI, "ge": R.GE, "le": R.LS, "gt": R.GT, "eq": R.EQ, "ne": R.NE}
FUSABLE = set(INT_REL) | set(FLOAT_REL)
# Float arithmetic whose NaN results follow the host's rules (see the module docstring).
FIX_NANS = HOST_NAN_RULES == "x86"
NAN_CHECKED = {O.FLOAT_ADD, O.FLOAT_SUB, O.FLOAT_MUL, O.FLOAT_TRUEDIV} if FIX_NANS else set()
NAN_SAVES = 8              # run inputs a NaN-checked run may overwrite (saved to the stack)
LOOP_ALIGN = 16
MIN64 = -(1 << 63)

_LDR_D_LITERAL = 0x5C000000     # ldr d<t>, <pc + imm19 * 4>


def exact_reciprocal(d: float) -> float | None:
    """``1 / d`` when ``d`` is a power of two whose reciprocal is a double (so that a
    product by it rounds exactly as the quotient by ``d``), else None."""
    if not math.isfinite(d) or d == 0 or abs(math.frexp(d)[0]) != 0.5:
        return None
    try:
        r = 1.0 / d
    except (OverflowError, ZeroDivisionError):
        return None
    return r if math.isfinite(r) and r != 0 and r * d == 1.0 else None


class _Encoder(A64Encoder):
    """The encoder, with a ``MOV_ri`` that never searches: a constant needing three
    move-wide instructions gets them, one needing four (no halfword 0 or 0xffff, not a
    logical immediate) comes from the literal pool (the search for shorter ORR/MOVK
    sequences costs a millisecond per constant and rarely saves an instruction)."""

    def __init__(self, asm: "Assembler") -> None:
        super().__init__()
        self.asm = asm

    def MOV_ri(self, rd: int, value: int) -> int:
        v = value & MASK64
        plan = min(_wide_plan(_halfwords(v), 0), _wide_plan(_halfwords(v), 0xFFFF), key=len)
        if len(plan) <= 2 or encode_bitmask(v) is not None:
            return super().MOV_ri(rd, value)
        at = self.pos
        if len(plan) == 3:
            for op, imm, shift in plan:
                self._movw(op, rd, imm, shift)
        else:
            self.asm.literal_load(self.LDR_literal_rj(rd, 0), v)
        return at


def _addsub_ok(v: int) -> bool:
    return 0 <= v < 4096 or (v > 0 and v & 0xFFF == 0 and v >> 12 < 4096)


class Assembler(AssemblerBase, arch="aarch64", gprs=GPRS, fprs=FPRS,
                scratch=(SCRATCH_I, SCRATCH_F), stub_min=STUB_MIN, fusable=FUSABLE,
                result_reg=R.X0):
    """AArch64 code for one trace; the walk (``assemble()``) is ``AssemblerBase``'s."""

    @staticmethod
    def clobbers(op: Op) -> list[Reg]:
        """Registers an op's code destroys (besides the scratch registers): a call's."""
        if op.num in (O.CALL_F, O.CALL_I, O.CALL_LOOP, O.CALL_PY):
            return list(CALLER_SAVED)
        return []

    @staticmethod
    def reuse(op: Op) -> tuple[int, ...]:
        """Arguments whose register the result may take over.  Three-address code needs
        none; the result must stay apart from the operands where the code reads them
        after writing it (division's fixup, a float op's NaN fixup)."""
        if op.num in (O.INT_FLOORDIV, O.INT_MOD) or op.num in NAN_CHECKED:
            return ()
        return (0, 1) if op.desc.commutative else (0,)

    def __init__(self, trace: Trace, bridge: BridgeContext | None = None) -> None:
        super().__init__(trace, bridge)
        self.literals: dict[int, list[int]] = {}         # 8-byte value -> ldr sites
        # (ldr site, value, record): one literal each; record is a call site list or None
        self.address_literals: list[tuple[int, int, list | None, object]] = []
        self.slow: list = []                              # out-of-line code emitters
        self.ovf_fail_cc = R.VS                           # what the last _ovf op set
        self.nan_run: list[tuple] = []                    # float ops whose check is due
        self.nan_inputs: set[int] = set()                 # registers the run reads first
        self.nan_written: set[int] = set()
        self.nan_saved: dict[int, int] = {}               # overwritten input -> its slot

    # -- driver --------------------------------------------------------------------------
    def new_encoder(self) -> A64Encoder:
        return _Encoder(self)

    def setup_frame(self) -> None:
        """The callee-saved registers to save and the spill area (``area``: both
        together, rounded up to 16 bytes so that sp stays 16-aligned)."""
        used = self.alloc.used_regs
        regs = [r for r in R.CALLEE_SAVED_GPRS if Reg(r, "i") in used]
        regs += [FLOAT_SAVE + d for d in R.CALLEE_SAVED_FPRS if Reg(d, "f") in used]
        if self.bridge is None:
            self.saved = [FRAME] + [r for r in regs if r != FRAME]
        else:
            self.saved = [r for r in regs if r not in self.bridge.loop_saved_regs]
        self.nan_slots = 8 * self.alloc.stack_slots     # NaN-run saves above the spills
        nan_runs = FIX_NANS and any(op.num in NAN_CHECKED for op in self.trace.ops)
        self.frame_bytes = self.nan_slots + (8 * NAN_SAVES if nan_runs else 0)

    def link_guard(self, site: int, stub: int) -> None:
        self.enc.patch_branch(site, stub)

    def trap(self) -> None:
        self.enc.BRK_i(0)

    def slow_paths(self) -> None:
        for emit in self.slow:
            emit()

    def constant_pool(self) -> bytes:
        enc = self.enc
        while enc.pos % 8:
            enc.BRK_i(0)
        for bits, sites in self.literals.items():
            at = enc.pos
            enc.buf += struct.pack("<Q", bits)
            for site in sites:
                enc.patch_branch(site, at)
        for site, value, record, descr in self.address_literals:
            at = enc.pos
            enc.buf += struct.pack("<Q", value & MASK64)
            enc.patch_branch(site, at)
            if record is not None:
                record.append((at, descr))
        return enc.bytes()

    # -- prologue / epilogue -------------------------------------------------------------
    @staticmethod
    def area(frame_size: int, saved: list[int]) -> int:
        """Bytes of spill slots plus a save area, rounded up to 16 (what sp moves by)."""
        return -(-(frame_size + 8 * len(saved)) // 16) * 16

    def prologue(self) -> None:
        enc = self.enc
        enc.STP_pre(R.FP, R.LR, SP, -16)
        enc.MOV_rsp(R.FP)
        self.push_area(self.frame_bytes, self.saved)
        enc.MOV_rr(FRAME, R.X0)

    def push_area(self, frame_size: int, saved: list[int]) -> None:
        self.sp_sub(self.area(frame_size, saved))
        for k, r in enumerate(saved):
            self.save_reg(r, frame_size + 8 * k, store=True)

    def pop_area(self, frame_size: int, saved: list[int]) -> None:
        for k, r in enumerate(saved):
            self.save_reg(r, frame_size + 8 * k, store=False)
        self.sp_add(self.area(frame_size, saved))

    def save_reg(self, r: int, offset: int, store: bool) -> None:
        enc = self.enc
        if r >= FLOAT_SAVE:
            (enc.STR_dm if store else enc.LDR_dm)(r - FLOAT_SAVE, SP, offset)
        else:
            (enc.STR_rm if store else enc.LDR_rm)(r, SP, offset)

    def release(self) -> None:
        """Undo this code's own prologue (a bridge: back to the loop body's level)."""
        self.pop_area(self.frame_bytes, self.saved)

    def release_loop(self) -> None:
        """Undo the loop's prologue and return (x0 holds the exit number)."""
        b = self.bridge
        if b is not None:
            self.pop_area(b.loop_frame_size, b.loop_saved_regs)
        self.enc.LDP_post(R.FP, R.LR, SP, 16)
        self.enc.RET()

    def epilogue(self) -> None:
        """Leave the machine code (x0 holds the exit number)."""
        self.release()
        self.release_loop()

    # -- small encoding helpers ----------------------------------------------------------
    def sp_sub(self, n: int) -> None:
        self._sp_adjust(n, self.enc.SUB_rri)

    def sp_add(self, n: int) -> None:
        self._sp_adjust(n, self.enc.ADD_rri)

    @staticmethod
    def _sp_adjust(n: int, insn) -> None:
        assert n % 16 == 0 and n < (1 << 24), n
        if n >> 12:
            insn(SP, SP, n & ~0xFFF)
        if n & 0xFFF:
            insn(SP, SP, n & 0xFFF)

    def literal_load(self, site: int, value: int) -> None:
        """The ldr (literal) at ``site`` loads ``value`` (pool entries are shared)."""
        self.literals.setdefault(value & MASK64, []).append(site)

    def ldr_d_literal(self, dreg: int, bits: int) -> None:
        """``ldr d<reg>, =bits`` from the literal pool."""
        self.literal_load(self.enc.emit(_LDR_D_LITERAL | dreg), bits)

    def ldr_x_literal(self, reg: int, value: int, record: list | None = None,
                      descr: object = None) -> None:
        """``ldr x<reg>, =value`` from a literal of its own; ``(literal offset, descr)``
        goes to ``record`` (call sites an emulator relocates)."""
        at = self.enc.LDR_literal_rj(reg, 0)
        self.address_literals.append((at, value, record, descr))

    def branch_here(self, at: int) -> None:
        """Make the branch at ``at`` (emitted with offset 0) land here."""
        self.enc.patch_branch(at, self.enc.pos)

    def align_loop(self) -> None:
        while self.enc.pos % LOOP_ALIGN:
            self.enc.NOP()

    # -- moves ---------------------------------------------------------------------------
    def spill(self, src: Location, d: int, kind: str) -> None:
        """``[sp + d] := src``.  Uses only x17 (stack to stack, constants to the stack),
        never the parallel-move scratch registers x16 and d31."""
        self.store_word(SP, d, src)

    def store_word(self, base: int, disp: int, loc: Location) -> None:
        """``[base + disp] := loc`` (8 bytes; x17 carries a spill slot or a constant)."""
        enc = self.enc
        if isinstance(loc, Reg):
            (enc.STR_rm if loc.kind == "i" else enc.STR_dm)(loc.num, base, disp)
        elif isinstance(loc, Stack):
            enc.LDR_rm(SCRATCH2, SP, 8 * loc.slot)
            enc.STR_rm(SCRATCH2, base, disp)
        else:
            enc.STR_rm(self.bits_reg(self.imm_bits(loc), SCRATCH2), base, disp)

    def bits_reg(self, bits: int, reg: int) -> int:
        """A register holding ``bits``: xzr for 0, else ``reg`` loaded with them."""
        if bits & MASK64 == 0:
            return XZR
        self.enc.MOV_ri(reg, bits & MASK64)
        return reg

    def copy(self, dst: int, src: int, kind: str) -> None:
        (self.enc.MOV_rr if kind == "i" else self.enc.FMOV_dd)(dst, src)

    def load_slot(self, reg: int, d: int, kind: str) -> None:
        (self.enc.LDR_rm if kind == "i" else self.enc.LDR_dm)(reg, SP, d)

    def load_bits(self, reg: int, bits: int, kind: str) -> None:
        if kind == "i":
            self.enc.MOV_ri(reg, bits)
        elif bits == 0:
            self.enc.FMOV_dr(reg, XZR)
        else:
            self.ldr_d_literal(reg, bits)

    def store_frame(self, j: int, loc: Location) -> None:
        """frame[1 + j] := loc."""
        self.store_word(FRAME, 8 * (1 + j), loc)

    # -- operand helpers -----------------------------------------------------------------
    def ireg(self, loc: Location, scratch: int) -> int:
        """An X register holding an integer operand (``scratch`` if it is not in one)."""
        if isinstance(loc, Reg):
            return loc.num
        self.load_int(scratch, loc)
        return scratch

    def dreg(self, loc: Location, scratch: int) -> int:
        """A D register holding a float operand (``scratch`` if it is not in one)."""
        if isinstance(loc, Reg):
            return loc.num
        self.load_float(scratch, loc)
        return scratch

    def addsub_imm(self, rd: int, rn: int, v: int, sub: bool, flags: bool) -> bool:
        """``rd = rn +/- v`` with an immediate when one encodes it (the other operation
        with -v when that does); False if neither does."""
        enc = self.enc
        for value, is_sub in ((v, sub), (-v, not sub)):
            if _addsub_ok(value):
                if flags:
                    (enc.SUBS_rri if is_sub else enc.ADDS_rri)(rd, rn, value)
                else:
                    (enc.SUB_rri if is_sub else enc.ADD_rri)(rd, rn, value)
                return True
        return False

    def cmp_int(self, x: Location, y: Location, rel: str) -> int:
        """Compare two integer operands; returns the condition code for ``rel``."""
        enc = self.enc
        if isinstance(x, Imm) and isinstance(y, Imm):
            # Both constant: flags that give the known answer.
            c = flags_operand(rel, rel_holds(rel, x.value, y.value))
            enc.CMP_rr(XZR, self.bits_reg(c, SCRATCH))
            return INT_CC[rel]
        if isinstance(x, Imm):
            x, y, rel = y, x, SWAP_REL[rel]
        xr = self.ireg(x, SCRATCH)
        if isinstance(y, Imm) and self.addsub_imm(XZR, xr, y.value, sub=True, flags=True):
            return INT_CC[rel]
        enc.CMP_rr(xr, self.ireg(y, SCRATCH2))
        return INT_CC[rel]

    def known_flags(self, rel: str, truth: bool) -> int:
        """Set the flags so that ``rel``'s condition is ``truth``; returns it."""
        self.enc.CMP_rr(XZR, self.bits_reg(flags_operand(rel, truth), SCRATCH))
        return INT_CC[rel]

    # -- label / jump / finish -----------------------------------------------------------
    def load_input(self, d: int, loc: Location) -> None:
        """A label input from ``[frame + d]`` to its location."""
        enc = self.enc
        if isinstance(loc, Reg):
            (enc.LDR_rm if loc.kind == "i" else enc.LDR_dm)(loc.num, FRAME, d)
        else:
            enc.LDR_rm(SCRATCH2, FRAME, d)
            enc.STR_rm(SCRATCH2, SP, 8 * loc.slot)

    def bridge_entry(self) -> None:
        """The parent guard's values to frame[1 + j] (what its exit stub would do), the
        parent bridge's stack released, then this bridge's own save area and spills."""
        b = self.bridge
        for j, loc in enumerate(b.parent_locs):
            self.store_frame(j, loc)
        if b.parent_kind == "bridge":
            self.pop_area(b.parent_frame_size, b.parent_saved_regs)
        self.push_area(self.frame_bytes, self.saved)

    def branch_back(self) -> None:
        """Poll the interrupt word: ldr x16, [x28]; cbz x16, loop_top."""
        enc = self.enc
        enc.LDR_rm(SCRATCH, FRAME, 0)
        enc.CBZ_rj(SCRATCH, self.loop_top - enc.pos)

    def to_reload_entry(self) -> None:
        """Unless interrupted, jump to the loop's reload entry; else leave."""
        enc = self.enc
        enc.LDR_rm(SCRATCH, FRAME, 0)
        at = enc.CBNZ_rj(SCRATCH, 0)
        self.ldr_x_literal(SCRATCH, self.bridge.reload_address)
        enc.BR_r(SCRATCH)
        self.branch_here(at)
        self.interrupt_offset = enc.pos
        enc.MOV_ri(R.X0, EXIT_INTERRUPT)
        # The bridge's own stack is already released: only the loop's remains.
        self.release_loop()

    # -- guards --------------------------------------------------------------------------
    def guard_branch(self, cc: int, op: Op, a) -> None:
        """Branch to the (later emitted) exit stub when ``cc`` holds."""
        at = self.enc.B_cond_cj(cc, 0)
        self.guard_sites.append((at, op, a.fail_locs))

    def guard_zero(self, loc: Location, fail_if_zero: bool, op: Op, a) -> None:
        reg = self.ireg(loc, SCRATCH)
        at = (self.enc.CBZ_rj if fail_if_zero else self.enc.CBNZ_rj)(reg, 0)
        self.guard_sites.append((at, op, a.fail_locs))

    def emit_guard_true(self, op: Op, a) -> None:
        if self.pending_cc is not None:
            cc, self.pending_cc = R.cc_invert(self.pending_cc), None
            self.guard_branch(cc, op, a)
        else:
            self.guard_zero(a.args[0], True, op, a)

    def emit_guard_false(self, op: Op, a) -> None:
        if self.pending_cc is not None:
            cc, self.pending_cc = self.pending_cc, None
            self.guard_branch(cc, op, a)
        else:
            self.guard_zero(a.args[0], False, op, a)

    def emit_guard_no_overflow(self, op: Op, a) -> None:
        self.guard_branch(self.ovf_fail_cc, op, a)

    def emit_guard_overflow(self, op: Op, a) -> None:
        self.guard_branch(R.cc_invert(self.ovf_fail_cc), op, a)

    def emit_guard_value(self, op: Op, a) -> None:
        cc = self.cmp_int(a.args[0], a.args[1], "eq")
        self.guard_branch(R.cc_invert(cc), op, a)

    # -- integer arithmetic --------------------------------------------------------------
    def int_binop(self, op: Op, a, rrr, imm=None) -> None:
        """``res = x <op> y``: ``rrr`` the register form, ``imm(res, xr, value)`` an
        immediate form that returns False when the value does not encode."""
        res = a.result.num
        x, y = a.args
        if isinstance(x, Imm) and not isinstance(y, Imm) and op.desc.commutative:
            x, y = y, x
        xr = self.ireg(x, SCRATCH)
        if isinstance(y, Imm) and imm is not None and imm(res, xr, y.value):
            return
        rrr(res, xr, self.ireg(y, SCRATCH2))

    def _logical(self, op, a, rrr, rri) -> None:
        def imm(res, xr, v):
            if encode_bitmask(v) is None:
                return False
            rri(res, xr, v & MASK64)
            return True
        self.int_binop(op, a, rrr, imm)

    def emit_int_add(self, op, a):
        self.int_binop(op, a, self.enc.ADD_rrr,
                       lambda r, x, v: self.addsub_imm(r, x, v, sub=False, flags=False))

    def emit_int_sub(self, op, a):
        self.int_binop(op, a, self.enc.SUB_rrr,
                       lambda r, x, v: self.addsub_imm(r, x, v, sub=True, flags=False))

    def emit_int_mul(self, op, a):
        self.int_binop(op, a, self.enc.MUL_rrr)

    def emit_int_and(self, op, a): self._logical(op, a, self.enc.AND_rrr, self.enc.AND_rri)
    def emit_int_or(self, op, a): self._logical(op, a, self.enc.ORR_rrr, self.enc.ORR_rri)
    def emit_int_xor(self, op, a): self._logical(op, a, self.enc.EOR_rrr, self.enc.EOR_rri)

    # The _ovf forms leave the flags for the guard that follows (moves keep them).
    def emit_int_add_ovf(self, op, a):
        self.ovf_fail_cc = R.VS
        self.int_binop(op, a, self.enc.ADDS_rrr,
                       lambda r, x, v: self.addsub_imm(r, x, v, sub=False, flags=True))

    def emit_int_sub_ovf(self, op, a):
        self.ovf_fail_cc = R.VS
        self.int_binop(op, a, self.enc.SUBS_rrr,
                       lambda r, x, v: self.addsub_imm(r, x, v, sub=True, flags=True))

    def emit_int_mul_ovf(self, op, a) -> None:
        """mul gives the low half; the product fits iff smulh (the high half) is the low
        half's sign extension: NE after the compare means overflow."""
        enc = self.enc
        self.ovf_fail_cc = R.NE
        res = a.result.num
        x, y = a.args
        if isinstance(x, Imm) and isinstance(y, Imm):
            p = x.value * y.value
            enc.MOV_ri(res, wrap64(p) & MASK64)
            self.known_flags("ne", p != wrap64(p))
            return
        if isinstance(x, Imm):
            x, y = y, x
        xr = x.num
        yr = self.ireg(y, SCRATCH2)
        enc.SMULH_rrr(SCRATCH, xr, yr)
        enc.MUL_rrr(res, xr, yr)
        enc.ASR_rri(SCRATCH2, res, 63)
        enc.CMP_rr(SCRATCH, SCRATCH2)

    def emit_int_neg(self, op, a) -> None:
        (x,) = a.args
        if isinstance(x, Imm):
            self.enc.MOV_ri(a.result.num, wrap64(-x.value) & MASK64)
        else:
            self.enc.NEG_rr(a.result.num, x.num)

    def emit_int_invert(self, op, a) -> None:
        (x,) = a.args
        if isinstance(x, Imm):
            self.enc.MOV_ri(a.result.num, ~x.value & MASK64)
        else:
            self.enc.MVN_rr(a.result.num, x.num)

    def shift(self, op, a, right: bool) -> None:
        enc = self.enc
        res = a.result.num
        x, y = a.args
        if isinstance(y, Imm):
            n = shift_count(y.value, right)
            xr = self.ireg(x, SCRATCH)
            if n:
                (enc.ASR_rri if right else enc.LSL_rri)(res, xr, n)
            elif xr != res:
                enc.MOV_rr(res, xr)
            return
        xr = self.ireg(x, SCRATCH2)
        if right:                       # count = min(count, 63), unsigned
            enc.CMP_ri(y.num, 63)
            enc.MOV_ri(SCRATCH, 63)
            enc.CSEL_rrrc(SCRATCH, y.num, SCRATCH, R.LS)
            enc.ASRV_rrr(res, xr, SCRATCH)
        else:                           # lslv takes the count mod 64, as the IR does
            enc.LSLV_rrr(res, xr, y.num)

    def emit_int_lshift(self, op, a): self.shift(op, a, False)
    def emit_int_rshift(self, op, a): self.shift(op, a, True)

    def divmod(self, op, a, mod: bool) -> None:
        """Python floor division / modulo: sdiv truncates, msub gives the remainder,
        then step towards -inf when the remainder is nonzero and its sign differs from
        the divisor's.  sdiv never traps (MIN / -1 wraps); a zero divisor gives 0, as on
        x86 (the recorder guards against it, so it is never observed).  No branches:
        each would end a translation block in an emulator."""
        enc = self.enc
        res = a.result.num
        x, y = a.args
        if isinstance(x, Imm) and isinstance(y, Imm):
            enc.MOV_ri(res, const_divmod(x.value, y.value, mod) & MASK64)
            return
        if isinstance(y, Imm):
            self.divmod_by_constant(res, x.num, y.value, mod)
            return
        xr = self.ireg(x, SCRATCH)
        yr = y.num
        enc.SDIV_rrr(SCRATCH2, xr, yr)           # q
        enc.MSUB_rrrr(SCRATCH, SCRATCH2, yr, xr)  # r = x - q*y
        enc.EOR_rrr(res, SCRATCH, yr)            # negative iff the signs differ
        enc.CMP_ri(SCRATCH, 0)
        enc.CSEL_rrrc(res, XZR, res, R.EQ)       # ... and r is nonzero
        enc.CMP_ri(res, 0)
        if mod:
            enc.ADD_rrr(res, SCRATCH, yr)
            enc.CSEL_rrrc(res, res, SCRATCH, R.LT)
        else:
            enc.SUB_rri(res, SCRATCH2, 1)
            enc.CSEL_rrrc(res, res, SCRATCH2, R.LT)
        enc.CMP_ri(yr, 0)
        enc.CSEL_rrrc(res, XZR, res, R.EQ)

    def divmod_by_constant(self, res: int, n: int, d: int, mod: bool) -> None:
        """Floor division by a constant without sdiv where possible: a shift or mask
        for a power of two, else the truncated quotient by a magic multiplier, then the
        floor step."""
        enc = self.enc
        if d == 0 or (d == -1 and mod) or (d == 1 and mod):
            enc.MOV_ri(res, 0)
            return
        if d == -1:
            enc.NEG_rr(res, n)
            return
        k = pow2(d)
        if k is not None:
            if mod:
                enc.AND_rri(res, n, d - 1)
            elif k:
                enc.ASR_rri(res, n, k)
            elif res != n:
                enc.MOV_rr(res, n)
            return
        m, shift = magic(d)
        enc.MOV_ri(SCRATCH, m & MASK64)
        enc.SMULH_rrr(SCRATCH, SCRATCH, n)       # hi(m * n)
        if d > 0 and m < 0:
            enc.ADD_rrr(SCRATCH, SCRATCH, n)
        elif d < 0 and m > 0:
            enc.SUB_rrr(SCRATCH, SCRATCH, n)
        if shift:
            enc.ASR_rri(SCRATCH, SCRATCH, shift)
        enc.LSR_rri(SCRATCH2, SCRATCH, 63)
        enc.ADD_rrr(SCRATCH, SCRATCH, SCRATCH2)  # q = trunc(n / d)
        enc.MOV_ri(SCRATCH2, d & MASK64)
        enc.MSUB_rrrr(SCRATCH2, SCRATCH, SCRATCH2, n)   # r = n - q*d
        enc.CMP_ri(SCRATCH2, 0)
        keep = R.GE if d > 0 else R.LE          # r has d's sign, or is 0 (no branch)
        if mod:                                  # (moves and add/sub keep the flags)
            if not self.addsub_imm(res, SCRATCH2, d, sub=False, flags=False):
                enc.MOV_ri(res, d & MASK64)
                enc.ADD_rrr(res, SCRATCH2, res)
            enc.CSEL_rrrc(res, SCRATCH2, res, keep)
        else:
            enc.SUB_rri(res, SCRATCH, 1)
            enc.CSEL_rrrc(res, SCRATCH, res, keep)

    def emit_int_floordiv(self, op, a): self.divmod(op, a, False)
    def emit_int_mod(self, op, a): self.divmod(op, a, True)

    # -- comparisons ---------------------------------------------------------------------
    def int_compare(self, op, a) -> None:
        x, y = a.args
        cc = self.cmp_int(x, y, INT_REL[op.num])
        if a.fused:
            self.pending_cc = cc
        else:
            self.enc.CSET_rc(a.result.num, cc)

    emit_int_lt = emit_int_ge = emit_int_le = emit_int_gt = int_compare
    emit_int_eq = emit_int_ne = int_compare

    def float_compare(self, op, a) -> None:
        enc = self.enc
        x, y = a.args
        rel = FLOAT_REL[op.num]
        if isinstance(x, Imm) and not isinstance(y, Imm):
            x, y, rel = y, x, SWAP_REL[rel]
        xr = self.dreg(x, FSCRATCH)
        if isinstance(y, Imm) and y.value == 0.0 and rel in ("eq", "ne"):
            enc.FMOV_rd(SCRATCH, xr)                     # x == +-0.0 iff bits << 1 == 0
            enc.LSL_rri(SCRATCH, SCRATCH, 1)             # (integer: no soft-float fcmp)
            enc.CMP_ri(SCRATCH, 0)
        elif isinstance(y, Imm) and y.value == 0.0:     # +0.0 and -0.0 compare alike
            enc.FCMP_d0(xr)
        else:
            enc.FCMP_dd(xr, self.dreg(y, FSCRATCH2))
        cc = FLOAT_CC[rel]
        if a.fused:
            self.pending_cc = cc
        else:
            enc.CSET_rc(a.result.num, cc)

    emit_float_lt = emit_float_ge = emit_float_le = emit_float_gt = float_compare
    emit_float_eq = emit_float_ne = float_compare

    # -- float arithmetic ----------------------------------------------------------------
    def float_binop(self, insn, op, a) -> None:
        res = a.result.num
        x, y = a.args
        if NAN_SECOND.get(op.num):
            x, y = y, x                  # computed as y (op) x, the way CPython does
        if op.num == O.FLOAT_TRUEDIV and isinstance(y, Imm):
            recip = exact_reciprocal(y.value)
            if recip is not None:        # x / 2**k is x * 2**-k, bit for bit (and fdiv
                insn, y = self.enc.FMUL_ddd, Imm(recip, "f")   # is the slower helper)
        if op.num not in NAN_CHECKED:
            insn(res, self.dreg(x, FSCRATCH), self.dreg(y, FSCRATCH2))
            return
        enc = self.enc
        if res in self.nan_inputs and res not in self.nan_saved:
            if len(self.nan_saved) == NAN_SAVES:
                self.end_nan_run()
            else:                        # the replay starts from the value it overwrites
                slot = self.nan_slots + 8 * len(self.nan_saved)
                self.nan_saved[res] = slot
                enc.STR_dm(res, SP, slot)
        for loc in (x, y):
            if isinstance(loc, Reg) and loc.num not in self.nan_written:
                self.nan_inputs.add(loc.num)
        self.nan_written.add(res)
        insn(res, self.dreg(x, FSCRATCH), self.dreg(y, FSCRATCH2))
        if not self.nan_run:             # x17 := the largest bits << 1 of the run
            enc.FMOV_rd(SCRATCH2, res)
            enc.LSL_rri(SCRATCH2, SCRATCH2, 1)
        else:
            enc.FMOV_rd(SCRATCH, res)
            enc.LSL_rri(SCRATCH, SCRATCH, 1)
            enc.CMP_rr(SCRATCH, SCRATCH2)
            enc.CSEL_rrrc(SCRATCH2, SCRATCH, SCRATCH2, R.HI)
        self.nan_run.append((insn, res, x, y))

    def before_op(self, op: Op, a) -> None:
        """A run of NaN-checked float ops ends before anything else (moves included)."""
        if self.nan_run and (op.num not in NAN_CHECKED or a.skip or a.moves):
            self.end_nan_run()

    def end_nan_run(self) -> None:
        """Branch out of line when the run's largest ``bits << 1`` is a NaN's
        (above the infinities' 0xffe0 << 48)."""
        run = self.nan_run
        if not run:
            return
        enc = self.enc
        enc.MOVZ_rii(SCRATCH, 0xFFE0, 48)
        enc.CMP_rr(SCRATCH2, SCRATCH)
        at = enc.B_cond_cj(R.HI, 0)
        back = enc.pos
        saved = self.nan_saved
        self.slow.append(lambda: self.nan_replay(at, back, run, saved))
        self.nan_run, self.nan_inputs, self.nan_written, self.nan_saved = [], set(), set(), {}

    def nan_replay(self, at: int, back: int, run: list[tuple], saved: dict[int, int]) -> None:
        """The run again from its inputs (those it overwrote come back from the stack),
        each result checked and fixed up before the next operation reads it."""
        enc = self.enc
        self.branch_here(at)
        for reg, slot in saved.items():
            enc.LDR_dm(reg, SP, slot)
        for insn, res, x, y in run:
            xr = self.dreg(x, FSCRATCH)
            yr = self.dreg(y, FSCRATCH2)
            insn(res, xr, yr)
            enc.FCMP_dd(res, res)
            ok = enc.B_cond_cj(R.VC, 0)
            self.nan_fixup(res, xr, yr)
            self.branch_here(ok)
        enc.B_j(back - enc.pos)

    def nan_fixup(self, res: int, xr: int, yr: int) -> None:
        """x86's NaN rules for a NaN ``res = xr <op> yr``: the first NaN operand,
        quieted; else (an invalid operation) the negative default NaN."""
        enc = self.enc
        ends = []
        for src in (xr, yr):
            enc.FCMP_dd(src, src)
            skip = enc.B_cond_cj(R.VC, 0)
            enc.FMOV_rd(SCRATCH, src)
            enc.ORR_rri(SCRATCH, SCRATCH, QUIET_BIT)
            enc.FMOV_dr(res, SCRATCH)
            ends.append(enc.B_j(0))
            self.branch_here(skip)
        enc.MOV_ri(SCRATCH, HOST_DEFAULT_NAN)
        enc.FMOV_dr(res, SCRATCH)
        for e in ends:
            self.branch_here(e)

    def emit_float_add(self, op, a): self.float_binop(self.enc.FADD_ddd, op, a)
    def emit_float_sub(self, op, a): self.float_binop(self.enc.FSUB_ddd, op, a)
    def emit_float_mul(self, op, a): self.float_binop(self.enc.FMUL_ddd, op, a)
    def emit_float_truediv(self, op, a): self.float_binop(self.enc.FDIV_ddd, op, a)

    def emit_float_neg(self, op, a) -> None:
        self.enc.FNEG_dd(a.result.num, self.dreg(a.args[0], FSCRATCH))

    def emit_float_abs(self, op, a) -> None:
        self.enc.FABS_dd(a.result.num, self.dreg(a.args[0], FSCRATCH))

    def emit_float_sqrt(self, op, a) -> None:
        """sqrt(x) for x >= 0, else Python's NaN (fsqrt would give the default NaN, or
        keep a NaN argument's payload)."""
        enc = self.enc
        res = a.result.num
        (x,) = a.args
        if self.float_constant(res, x, lambda v: math.sqrt(v) if v >= 0 else math.nan):
            return
        xr = self.dreg(x, FSCRATCH)
        enc.FCMP_d0(xr)                  # GE iff x >= 0 (and ordered)
        enc.FSQRT_dd(res, xr)
        at = enc.B_cond_cj(R.GE, 0)
        self.ldr_d_literal(res, PYTHON_NAN)
        self.branch_here(at)

    def emit_cast_int_to_float(self, op, a) -> None:
        res = a.result.num
        (x,) = a.args
        if self.float_constant(res, x, float):
            return
        self.enc.SCVTF_dr(res, x.num)

    def emit_cast_float_to_int(self, op, a) -> None:
        """fcvtzs saturates and gives 0 for NaN; the IR wants MIN for NaN, infinities and
        out of range (as cvttsd2si gives).  A saturated MAX is never a valid result (the
        largest double below 2**63 is 2**63 - 1024), so it means out of range."""
        enc = self.enc
        res = a.result.num
        (x,) = a.args
        if isinstance(x, Imm):
            enc.MOV_ri(res, float_to_int(x.value) & MASK64)
            return
        xr = self.dreg(x, FSCRATCH)
        enc.FCVTZS_rd(res, xr)
        enc.MOV_ri(SCRATCH, MIN64 & MASK64)
        enc.CMN_ri(res, 1)                       # V iff res == MAX
        enc.CSEL_rrrc(res, SCRATCH, res, R.VS)
        enc.FCMP_dd(xr, xr)                      # V iff NaN
        enc.CSEL_rrrc(res, SCRATCH, res, R.VS)

    # -- calls ---------------------------------------------------------------------------
    # AAPCS64: float args in d0.., int args in x0..; result in d0.
    ARG_REGS = (R.ARG_GPRS, R.ARG_FPRS)
    FLOAT_RESULT = R.D0

    def call_target(self, descr) -> None:
        """The target from a literal of its own, so an emulator can relocate it."""
        self.ldr_x_literal(SCRATCH, call_address(descr), self.call_sites, descr)
        self.enc.BLR_r(SCRATCH)

    def store_call_buffer(self, address: int, args: list[Location]) -> None:
        enc = self.enc
        enc.MOV_ri(SCRATCH, address)
        for k, loc in enumerate(args):
            self.store_word(SCRATCH, 8 * (1 + k), loc)
        enc.MOV_rr(R.X0, SCRATCH)

    def emit_call_loop(self, op: Op, a) -> None:
        """Run another compiled loop on its own frame array: its inputs to
        frame'[1 + k] (floats as raw bits), this loop's interrupt word to frame'[0],
        ``blr entry`` with x0 = frame'; the result is its exit number (x0)."""
        enc = self.enc
        d = op.descr
        frame_address, entry = loop_descr(d)
        check_loop_call(op)
        enc.MOV_ri(SCRATCH, frame_address)
        for k, loc in enumerate(a.args):
            self.store_word(SCRATCH, 8 * (1 + k), loc)
        enc.LDR_rm(SCRATCH2, FRAME, 0)           # pass the interrupt word on
        enc.STR_rm(SCRATCH2, SCRATCH, 0)
        enc.MOV_rr(R.X0, SCRATCH)
        self.ldr_x_literal(SCRATCH, entry, self.loop_call_sites, d)
        enc.BLR_r(SCRATCH)
        if a.result.num != R.X0:
            enc.MOV_rr(a.result.num, R.X0)

    # -- raw memory ----------------------------------------------------------------------
    def raw_address(self, base: Location, index: Location, size: int) -> tuple[int, int, bool]:
        """``(base register, index register, scaled)`` addressing ``base + index *
        size`` in a register-offset form; x16 holds what is constant."""
        enc = self.enc
        if isinstance(base, Imm):
            if isinstance(index, Imm):
                enc.MOV_ri(SCRATCH, (base.value + index.value * size) & MASK64)
                return SCRATCH, XZR, False
            enc.MOV_ri(SCRATCH, base.value & MASK64)
            return SCRATCH, index.num, True
        if isinstance(index, Imm):
            enc.MOV_ri(SCRATCH, wrap64(index.value * size) & MASK64)
            return base.num, SCRATCH, False
        return base.num, index.num, True

    def emit_getarrayitem_raw_i(self, op: Op, a) -> None:
        code = typecode(op.descr, "int")
        b, i, scaled = self.raw_address(a.args[0], a.args[1], ELEMENT[code])
        getattr(self.enc, LOAD_INT[code])(a.result.num, b, i, scaled)

    def emit_getarrayitem_raw_f(self, op: Op, a) -> None:
        code = typecode(op.descr, "float")
        b, i, scaled = self.raw_address(a.args[0], a.args[1], ELEMENT[code])
        res = a.result.num
        if code == "d":
            self.enc.LDR_dx(res, b, i, scaled)
        else:
            self.enc.LDR_sx(res, b, i, scaled)
            self.enc.FCVT_ds(res, res)

    # fields and items of Python objects are loaded as raw memory is
    emit_getarrayitem_gc_i = emit_getarrayitem_raw_i
    emit_getarrayitem_gc_f = emit_getarrayitem_raw_f

    def emit_setarrayitem_raw_i(self, op: Op, a) -> None:
        code = typecode(op.descr, "int")
        size = ELEMENT[code]
        value = a.args[2]
        b, i, scaled = self.raw_address(a.args[0], a.args[1], size)
        if isinstance(value, Reg):
            v = value.num
        else:
            v = self.bits_reg(value.value & ((1 << (8 * size)) - 1), SCRATCH2)
        getattr(self.enc, STORE_INT[size])(v, b, i, scaled)

    def emit_setarrayitem_raw_f(self, op: Op, a) -> None:
        code = typecode(op.descr, "float")
        value = a.args[2]
        b, i, scaled = self.raw_address(a.args[0], a.args[1], ELEMENT[code])
        if code == "d":
            if isinstance(value, Reg):
                self.enc.STR_dx(value.num, b, i, scaled)
            else:
                self.enc.STR_rx(self.bits_reg(self.imm_bits(value), SCRATCH2), b, i, scaled)
            return
        # float32: round to nearest like C's (float) cast (inf beyond the range)
        self.enc.FCVT_sd(FSCRATCH, self.dreg(value, FSCRATCH))
        self.enc.STR_sx(FSCRATCH, b, i, scaled)


# Raw array element loads and stores (element sizes: common.ELEMENT).
LOAD_INT = raw_int_loads({1: "LDRSB_rx", 2: "LDRSH_rx", 4: "LDRSW_rx", 8: "LDR_rx"},
                         {1: "LDRB_rx", 2: "LDRH_rx", 4: "LDR32_rx", 8: "LDR_rx"})
STORE_INT = {1: "STRB_rx", 2: "STRH_rx", 4: "STR32_rx", 8: "STR_rx"}

assemble = Assembler.assemble_loop
assemble_bridge = Assembler.assemble_bridge
