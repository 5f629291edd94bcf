"""What every backend's assembler shares: the walk over a trace, exit stubs, the image,
bridge checks, and the arithmetic facts that do not depend on an instruction set.

    allocate (regalloc) ─► setup_frame ─► per op: allocator moves, emit_<op>
        ─► exit stubs (one per guard: fail values to the frame, exit number, leave)
        ─► slow paths ─► constant pool ─► CodeImage

A backend subclasses ``AssemblerBase`` and supplies register lists, the three
allocator callbacks (``clobbers``, ``can_fuse``, ``reuse``), the frame layout, the
moves, the exit sequence and one ``emit_<op>`` per IR op.  The machine-code
contract and the exit protocol are ``jitnb.jit.backend.image``'s.
"""
from __future__ import annotations

import array
import math
import struct
from dataclasses import dataclass
from typing import Any

from ..ir import ops as O
from ..ir.trace import Op, Trace, resolve
from .image import EXIT_FINISH, EXIT_INTERRUPT, CodeImage
from .regalloc import Imm, Location, Reg, Stack, allocate, parallel_moves

MASK64 = (1 << 64) - 1
SIGN_MASK = 0x8000000000000000
ABS_MASK = 0x7FFFFFFFFFFFFFFF
QUIET_BIT = 1 << 51


def float_bits(x: float) -> int:
    """The IEEE bit pattern of a double, as an unsigned 64-bit integer."""
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def bits_float(b: int) -> float:
    return struct.unpack("<d", struct.pack("<Q", b & MASK64))[0]


PYTHON_NAN = float_bits(math.nan)


def _nan_operand_second(fn) -> bool:
    """Does CPython's ``a + b`` / ``a * b`` return the *second* operand's NaN when both
    operands are NaN?

    For two NaN operands x86 returns the first source's payload, so ``a + b`` and
    ``b + a`` differ in sign and payload bits.  C leaves the order to the compiler, and
    CPython 3.11's generic float_add and its specialised BINARY_OP_ADD_FLOAT were built
    with opposite orders.  Hot code runs the specialised form, so the probe warms the
    function up first and the backends copy what warm CPython does.
    """
    for _ in range(1000):
        fn(1.5, 2.5)
    a = bits_float(0xFFF8000000000001)
    b = bits_float(0x7FF8000000000002)
    return float_bits(fn(a, b)) == float_bits(b)


NAN_SECOND = {O.FLOAT_ADD: _nan_operand_second(lambda a, b: a + b),
              O.FLOAT_MUL: _nan_operand_second(lambda a, b: a * b)}

# The NaN an invalid operation (inf - inf) gives in this CPython: x86's "real
# indefinite" is negative, AArch64's default NaN positive.  A backend whose own rules
# differ from the host's (AArch64 code checked against CPython on x86) fixes NaN results
# up to the host's rules, so that results stay bit-identical to the interpreter.
_INF = math.inf
HOST_DEFAULT_NAN = float_bits(_INF - _INF)
HOST_NAN_RULES = "x86" if HOST_DEFAULT_NAN == 0xFFF8000000000000 else "arm"


def pow2(v: int) -> int | None:
    """log2(v) if v is a positive power of two."""
    return v.bit_length() - 1 if v > 0 and v & (v - 1) == 0 else None


def wrap64(v: int) -> int:
    v &= MASK64
    return v - (1 << 64) if v >> 63 else v


def magic(d: int) -> tuple[int, int]:
    """Signed 64-bit magic multiplier and shift for dividing by ``d`` (Hacker's Delight
    10-1): trunc(n / d) = hi(m * n) [+ n if d > 0 > m, - n if d < 0 < m] >> s, + 1 if
    that is negative."""
    two = 1 << 63
    ad = abs(d)
    t = two + (d < 0)
    anc = t - 1 - t % ad
    p = 63
    q1, r1 = divmod(two, anc)
    q2, r2 = divmod(two, ad)
    while True:
        p += 1
        q1, r1 = 2 * q1, 2 * r1
        if r1 >= anc:
            q1, r1 = q1 + 1, r1 - anc
        q2, r2 = 2 * q2, 2 * r2
        if r2 >= ad:
            q2, r2 = q2 + 1, r2 - ad
        delta = ad - r2
        if not (q1 < delta or (q1 == delta and r1 == 0)):
            break
    m = q2 + 1
    if d < 0:
        m = -m
    return wrap64(m), p - 64


def float_to_int(f: float) -> int:
    """The IR's cast_float_to_int: truncate; NaN, inf and out of range give MIN."""
    if math.isfinite(f) and -(1 << 63) <= int(f) < (1 << 63):
        return int(f)
    return -(1 << 63)


def shift_count(n: int, right: bool) -> int:
    """A constant shift count as the code applies it: right shifts saturate at 63,
    left shifts take it modulo 64."""
    return (n if 0 <= n <= 63 else 63) if right else n & 63


def const_divmod(x: int, d: int, mod: bool) -> int:
    """Python floor division / modulo of int64 constants as the machine code does it:
    a zero divisor gives 0 (the recorder guards divisors; the code must not trap)."""
    if d == 0:
        return 0
    return wrap64(x % d if mod else x // d)


# -- comparisons ---------------------------------------------------------------------------
# Relations by op; each backend maps them to its condition codes.
INT_REL = {O.INT_LT: "lt", O.INT_GE: "ge", O.INT_LE: "le", O.INT_GT: "gt",
           O.INT_EQ: "eq", O.INT_NE: "ne"}
FLOAT_REL = {O.FLOAT_LT: "lt", O.FLOAT_GE: "ge", O.FLOAT_LE: "le", O.FLOAT_GT: "gt",
             O.FLOAT_EQ: "eq", O.FLOAT_NE: "ne"}
SWAP_REL = {"lt": "gt", "gt": "lt", "le": "ge", "ge": "le", "eq": "eq", "ne": "ne"}


def rel_holds(rel: str, x: int, y: int) -> bool:
    return {"lt": x < y, "ge": x >= y, "le": x <= y, "gt": x > y,
            "eq": x == y, "ne": x != y}[rel]


def flags_operand(rel: str, truth: bool) -> int:
    """A constant c such that comparing 0 with c makes ``rel`` come out as ``truth``
    (two constant operands: flags that give the known answer)."""
    return next(c for c in (0, 1, -1) if rel_holds(rel, 0, c) == truth)


# -- descriptors ----------------------------------------------------------------------------
# Element sizes as the array module has them on this platform (l/L: 8 on LP64).
ELEMENT = {c: array.array(c).itemsize for c in "bBhHiIlLqQfd"}


def raw_int_loads(signed: dict[int, str], unsigned: dict[int, str]) -> dict[str, str]:
    """Load instruction per integer array typecode, from the per-size tables."""
    return {c: (signed if c.islower() else unsigned)[ELEMENT[c]] for c in "bBhHiIlLqQ"}


def typecode(descr, kind: str) -> str:
    code = getattr(descr, "typecode", descr)
    ok = "bBhHiIlLqQ" if kind == "int" else "fd"
    if not isinstance(code, str) or len(code) != 1 or code not in ok:
        raise ValueError(f"raw array op needs an {kind} array typecode ({ok}), got {descr!r}")
    return code


def loop_descr(descr) -> tuple[int, int]:
    """(frame address, entry address) of a ``call_loop`` descriptor."""
    try:
        frame_address, entry = descr.frame_address, descr.entry_address
    except AttributeError:
        raise TypeError(f"call_loop descriptor {descr!r} needs frame_address and "
                        "entry_address") from None
    if not isinstance(frame_address, int) or not isinstance(entry, int):
        raise TypeError(f"call_loop descriptor {descr!r}: addresses must be integers")
    return frame_address, entry


def check_loop_call(op: Op) -> None:
    """call_loop's argument kinds must be the callee's input kinds."""
    kinds = getattr(op.descr, "input_kinds", None)
    got = "".join(resolve(v).kind for v in op.args)
    if kinds is not None and "".join(kinds) != got:
        raise ValueError(f"call_loop arguments {got!r} do not match the loop's "
                         f"inputs {''.join(kinds)!r}")


def call_address(descr) -> int:
    addr = getattr(descr, "address", descr)
    if not isinstance(addr, int):
        raise TypeError(f"call_f descriptor {descr!r} has no integer address")
    return addr


def residual_buffer(descr) -> int:
    """The argument buffer of a ``call_py`` descriptor."""
    addr = getattr(descr, "buffer_address", None)
    if not isinstance(addr, int) or not isinstance(getattr(descr, "address", None), int):
        raise TypeError(f"call_py descriptor {descr!r} needs buffer_address and address")
    return addr


def call_kinds(op: Op) -> str:
    """Argument kinds of a call_f then its result kind: ``"ff" + "f"`` for pow."""
    return "".join(resolve(v).kind for v in op.args) + op.kind


# -- bridges --------------------------------------------------------------------------------
@dataclass
class BridgeContext:
    """What a bridge needs to know about its parent guard and the loop it runs in."""

    parent_locs: list[Location]         # where the parent guard's fail_args are
    parent_frame_size: int              # the parent bridge's own stack (0: the parent
    parent_saved_regs: list[int]        # is the loop) and the registers it saved
    loop_frame_size: int
    loop_saved_regs: list[int]
    loop_input_kinds: str
    reload_address: int                 # absolute address of the loop's reload entry
    first_exit: int
    parent_kind: str = "loop"


def bridge_context(arch: str, bridge: Trace, parent: CodeImage, parent_address: int,
                   guard_index: int, first_exit: int, loop: CodeImage | None = None,
                   loop_address: int | None = None) -> BridgeContext:
    """Check that ``bridge`` fits guard ``guard_index`` of ``parent`` (a loop image loaded
    at ``parent_address``, or a bridge image) and describe where it will run.
    ``loop``/``loop_address`` (the loop the bridge jumps to) are only needed to check a
    bridge parent's records."""
    if parent.arch != arch:
        raise ValueError(f"parent image is {parent.arch} code")
    if not 0 <= guard_index < len(parent.guard_offsets):
        raise IndexError(f"parent has no guard {guard_index}")
    kinds = "".join(v.kind for v in bridge.inputs)
    if kinds != parent.guard_kinds[guard_index]:
        raise ValueError(f"bridge inputs {kinds!r} do not match guard {guard_index}'s "
                         f"fail_args {parent.guard_kinds[guard_index]!r}")
    if parent.is_bridge:
        reload_address = parent.reload_address
        if loop is not None and loop_address is not None and \
                loop_address + loop.reload_offset != reload_address:
            raise ValueError("the parent bridge belongs to another loop")
        parent_frame, parent_saved = parent.frame_size, list(parent.saved_regs)
    else:
        if loop is not None and loop is not parent:
            raise ValueError("a bridge on a loop guard runs in that loop")
        reload_address = parent_address + parent.reload_offset
        parent_frame, parent_saved = 0, []
    last = bridge.ops[-1]
    if last.num == O.JUMP:
        got = "".join(resolve(v).kind for v in last.args)
        if got != parent.loop_input_kinds:
            raise ValueError(f"bridge jump arguments {got!r} do not match the loop's "
                             f"label {parent.loop_input_kinds!r}")
    elif last.num != O.FINISH:
        raise ValueError("a bridge ends with jump or finish")
    return BridgeContext(list(parent.guard_locations[guard_index]), parent_frame, parent_saved,
                         parent.loop_frame_size, list(parent.loop_saved_regs),
                         parent.loop_input_kinds, reload_address, first_exit, parent.kind)


# -- the shared assembler walk --------------------------------------------------------------
class AssemblerBase:
    """Emits one trace (a loop, or a bridge with a ``BridgeContext``); ``assemble()``
    returns the CodeImage.

    A backend declares (``__init_subclass__``) ``ARCH``, ``GPRS``/``FPRS``
    (allocatable, in order of preference), ``SCRATCH_I``/``SCRATCH_F`` (the
    parallel-move scratch registers), ``STUB_MIN``, ``FUSABLE`` and ``RESULT_REG``,
    and provides ``clobbers``/``reuse`` (allocator callbacks), ``new_encoder()``, ``setup_frame()`` (sets ``saved`` and
    ``frame_bytes``), ``prologue``/``epilogue``/``release``/``bridge_entry``,
    ``copy``/``load_slot``/``load_bits``/``spill``/``load_input``/``store_frame``,
    ``align_loop``, ``branch_back``, ``to_reload_entry``, ``trap``,
    ``ARG_REGS``/``FLOAT_RESULT``/``call_target`` (calls),
    ``link_guard(site, stub)``, ``constant_pool()`` and the ``emit_<op>`` methods.
    ``assemble_loop``/``assemble_bridge`` are the entry points."""

    ARCH = ""
    GPRS: tuple[int, ...] = ()
    FPRS: tuple[int, ...] = ()
    SCRATCH_I: Reg
    SCRATCH_F: Reg
    STUB_MIN = 0
    ARG_REGS: tuple[tuple[int, ...], tuple[int, ...]] = ((), ())
    FLOAT_RESULT = 0
    FUSABLE: frozenset[int] | set[int] = frozenset()
    RESULT_REG = 0          # where the exit number is returned

    def __init_subclass__(cls, arch: str = "", gprs: tuple[int, ...] = (),
                          fprs: tuple[int, ...] = (), scratch: tuple[Reg, Reg] | None = None,
                          stub_min: int = 0, fusable=frozenset(), result_reg: int = 0,
                          **kw) -> None:
        """A backend declares its machine in the class statement: ``class
        Assembler(AssemblerBase, arch=..., gprs=..., fprs=..., scratch=(int, float),
        stub_min=..., fusable=..., result_reg=...)``."""
        super().__init_subclass__(**kw)
        if arch:
            cls.ARCH, cls.GPRS, cls.FPRS = arch, tuple(gprs), tuple(fprs)
            cls.SCRATCH_I, cls.SCRATCH_F = scratch
            cls.STUB_MIN, cls.FUSABLE, cls.RESULT_REG = stub_min, fusable, result_reg

    def __init__(self, trace: Trace, bridge: BridgeContext | None = None) -> None:
        self.trace = trace
        self.bridge = bridge
        self.enc = self.new_encoder()
        self.reload_offset = 0
        self.loop_top = 0
        self.interrupt_offset = 0
        self.pending_cc: int | None = None
        # (branch site, guard op, where its fail_args are): linked to exit stubs at the end
        self.guard_sites: list[tuple[int, Op, list[Location]]] = []
        self.call_sites: list[tuple[int, Any]] = []
        self.call_kinds: list[str] = []
        self.loop_call_sites: list[tuple[int, Any]] = []
        self.saved: list[int] = []
        self.frame_bytes = 0

    # The allocator callbacks (module functions of each backend, as static methods).
    @staticmethod
    def clobbers(op: Op) -> list[Reg]:
        return []

    @classmethod
    def can_fuse(cls, op: Op) -> bool:
        """Comparisons whose flags a guard may read directly (``FUSABLE``)."""
        return op.num in cls.FUSABLE

    @staticmethod
    def reuse(op: Op) -> tuple[int, ...]:
        return (0, 1) if op.desc.commutative else (0,)

    def assemble(self) -> CodeImage:
        trace = self.trace
        bridge = self.bridge
        self.alloc = allocate(trace, self.GPRS, self.FPRS, clobbers=self.clobbers,
                              can_fuse=self.can_fuse, reuse=self.reuse, loop=bridge is None)
        self.setup_frame()
        enc = self.enc
        op_offsets = []
        for i, op in enumerate(trace.ops):
            a = self.alloc.ops[i]
            self.before_op(op, a)
            start = enc.pos
            if not a.skip:
                for m in a.moves:
                    self.move(m.src, m.dst, m.kind)
                getattr(self, "emit_" + op.name)(op, a)
            op_offsets.append((start, enc.pos))
        if trace.ops[-1].num == O.JUMP:     # the interrupt exit is listed on its own
            op_offsets[-1] = (op_offsets[-1][0], self.interrupt_offset)
        guard_offsets, guard_locs, guard_kinds = [], [], []
        slots = len(trace.inputs)
        first = bridge.first_exit if bridge is not None else 0
        for index, (site, op, locs) in enumerate(self.guard_sites):
            stub = enc.pos
            self.link_guard(site, stub)
            for j, loc in enumerate(locs):
                self.store_frame(j, loc)
            self.leave(first + index)
            self.pad_stub(stub)
            guard_offsets.append((site, stub))
            guard_locs.append(list(locs))
            guard_kinds.append("".join(resolve(v).kind for v in op.snapshot.fail_args()))
            slots = max(slots, len(locs))
        if trace.ops[-1].num in (O.FINISH, O.JUMP):
            slots = max(slots, len(trace.ops[-1].args))
        self.slow_paths()
        code_size = enc.pos
        code = self.constant_pool()
        kinds = "".join(v.kind for v in trace.inputs)
        image = CodeImage(self.ARCH, code, entry=0, guard_offsets=guard_offsets,
                          op_offsets=op_offsets, frame_slots=1 + slots,
                          loop_offset=self.loop_top, code_size=code_size,
                          guard_locations=guard_locs,
                          label_locations=list(self.alloc.label_locs),
                          frame_size=self.frame_bytes, saved_regs=list(self.saved),
                          interrupt_offset=self.interrupt_offset,
                          call_sites=self.call_sites, call_kinds=self.call_kinds,
                          loop_call_sites=self.loop_call_sites,
                          input_kinds=kinds, guard_kinds=guard_kinds,
                          reload_offset=self.reload_offset)
        if bridge is None:
            image.loop_frame_size, image.loop_saved_regs = self.frame_bytes, list(self.saved)
            image.loop_input_kinds = kinds
        else:
            image.kind = "bridge"
            image.first_exit = bridge.first_exit
            image.loop_frame_size = bridge.loop_frame_size
            image.loop_saved_regs = list(bridge.loop_saved_regs)
            image.loop_input_kinds = bridge.loop_input_kinds
            image.reload_address = bridge.reload_address
        return image

    def before_op(self, op: Op, a) -> None:
        """Called before each op's moves and code (outside the op's listed range):
        where a backend closes what it batches across ops.  Nothing by default."""

    def slow_paths(self) -> None:
        """Out-of-line code placed after the exit stubs (none by default)."""

    # -- entry points ------------------------------------------------------------------
    @classmethod
    def assemble_loop(cls, trace: Trace) -> CodeImage:
        return cls(trace).assemble()

    @classmethod
    def assemble_bridge(cls, bridge: Trace, parent: CodeImage, parent_address: int,
                        guard_index: int, first_exit: int, loop: CodeImage | None = None,
                        loop_address: int | None = None) -> CodeImage:
        """Assemble ``bridge`` for guard ``guard_index`` of ``parent`` (a loop image
        loaded at ``parent_address``, or a bridge image); checks: ``bridge_context``."""
        ctx = bridge_context(cls.ARCH, bridge, parent, parent_address, guard_index,
                             first_exit, loop, loop_address)
        return cls(bridge, ctx).assemble()

    # -- exits ---------------------------------------------------------------------------
    def trap(self) -> None:
        """One trapping instruction (padding)."""
        raise NotImplementedError

    def leave(self, exit_number: int) -> None:
        self.enc.MOV_ri(self.RESULT_REG, exit_number)
        self.epilogue()

    def pad_stub(self, start: int) -> None:
        while self.enc.pos - start < self.STUB_MIN:   # room for an absolute jump (patching)
            self.trap()

    # -- shared emitters ---------------------------------------------------------------
    @staticmethod
    def imm_bits(imm: Imm) -> int:
        """A constant operand's 64-bit pattern (a float's IEEE bits)."""
        return float_bits(imm.value) if imm.kind == "f" else imm.value & MASK64

    def load(self, reg: int, src: Location, kind: str) -> None:
        """Register ``reg`` of ``kind`` := src (``copy``, ``load_slot``, ``load_bits``)."""
        if isinstance(src, Reg):
            if src.num != reg:
                self.copy(reg, src.num, kind)
        elif isinstance(src, Stack):
            self.load_slot(reg, 8 * src.slot, kind)
        else:
            self.load_bits(reg, self.imm_bits(src), kind)

    def load_int(self, reg: int, src: Location) -> None:
        self.load(reg, src, "i")

    def load_float(self, reg: int, src: Location) -> None:
        self.load(reg, src, "f")

    def move(self, src: Location, dst: Location, kind: str) -> None:
        """``dst := src``; a spill slot destination is ``spill``'s."""
        if src == dst:
            return
        if isinstance(dst, Reg):
            self.load(dst.num, src, dst.kind)
            return
        assert isinstance(dst, Stack), dst
        self.spill(src, 8 * dst.slot, kind)

    def emit_label(self, op: Op, a) -> None:
        """Loop: prologue, reload entry, inputs from the frame, aligned loop top.
        Bridge: its entry, then its inputs from the frame.  A peeled loop's top is its
        second (loop) label; the preamble runs once between the two."""
        if op is not self.trace.ops[0]:     # a peeled loop's loop label: its top
            self.align_loop()
            self.loop_top = self.enc.pos
            return
        if self.bridge is not None:
            self.bridge_entry()
        else:
            self.prologue()
            self.reload_offset = self.enc.pos
        for k, loc in enumerate(self.alloc.label_locs):
            self.load_input(8 * (1 + k), loc)
        if self.bridge is not None or self.trace.loop_index():
            return
        self.align_loop()
        self.loop_top = self.enc.pos

    def emit_jump(self, op: Op, a) -> None:
        """Loop: parallel move into the label locations, poll the interrupt word and
        branch back (``branch_back``), else the interrupt exit.  A preamble's jump is
        the parallel move only: the loop label follows."""
        if self.bridge is not None:
            self.bridge_jump(op, a)
            return
        kinds = [v.kind for v in self.trace.loop_inputs]
        locs = self.alloc.loop_label_locs
        self.moves(list(zip(a.args, locs, kinds)))
        if op is not self.trace.ops[-1]:    # a preamble's jump falls into the loop label
            return
        self.branch_back()
        self.interrupt_offset = self.enc.pos
        for k, loc in enumerate(locs):       # the trace's inputs come first
            self.store_frame(k, loc)
        self.leave(EXIT_INTERRUPT)

    def bridge_jump(self, op: Op, a) -> None:
        """Label values to the frame, release the bridge's stack, poll the interrupt
        word, continue at the loop's reload entry (``to_reload_entry``)."""
        for k, loc in enumerate(a.args):
            self.store_frame(k, loc)
        self.release()
        self.to_reload_entry()

    def float_constant(self, res: int, x: Location, fold) -> bool:
        """A constant operand: ``fold(value)`` loaded into ``res`` (True), else False."""
        if not isinstance(x, Imm):
            return False
        self.load_float(res, Imm(fold(x.value), "f"))
        return True

    def moves(self, pairs: list[tuple[Location, Location, str]]) -> None:
        """A parallel move; integers and floats are sequentialised separately."""
        for kind, scratch in (("i", self.SCRATCH_I), ("f", self.SCRATCH_F)):
            seq = parallel_moves([(s, d) for s, d, k in pairs if k == kind], scratch)
            for s, d in seq:
                self.move(s, d, kind)

    def same_as(self, op: Op, a) -> None:
        self.move(a.args[0], a.result, op.kind)

    emit_same_as_i = same_as
    emit_same_as_f = same_as

    def emit_finish(self, op: Op, a) -> None:
        for j, loc in enumerate(a.args):
            self.store_frame(j, loc)
        self.leave(EXIT_FINISH)

    def emit_call_f(self, op: Op, a) -> None:
        """A C call; the allocator has emptied every caller-saved register of live
        values.  Arguments to the ABI's registers (``ARG_REGS``: ints, floats), the
        call (``call_target``), the float result from ``FLOAT_RESULT``."""
        self.moves(self.call_f_pairs(op, a, *self.ARG_REGS, self.ARCH))
        self.call_kinds.append(call_kinds(op))
        self.call_target(op.descr)
        if a.result.num != self.FLOAT_RESULT:
            self.copy(a.result.num, self.FLOAT_RESULT, "f")

    def emit_call_i(self, op: Op, a) -> None:
        """The same for a C function returning an int (``RESULT_REG``)."""
        self.moves(self.call_f_pairs(op, a, *self.ARG_REGS, self.ARCH))
        self.call_kinds.append(call_kinds(op))
        self.call_target(op.descr)
        if a.result is not None and a.result.num != self.RESULT_REG:
            self.copy(a.result.num, self.RESULT_REG, "i")

    def emit_call_py(self, op: Op, a) -> None:
        """A residual call: the arguments (floats as raw bits) to the call site's buffer
        at [1 + k], ``status = callback(buffer)`` like a C call (``call_target``; the
        allocator has emptied every caller-saved register), the status from
        ``RESULT_REG``."""
        self.store_call_buffer(residual_buffer(op.descr), a.args)
        self.call_kinds.append("ii")
        self.call_target(op.descr)
        if a.result.num != self.RESULT_REG:
            self.copy(a.result.num, self.RESULT_REG, "i")

    def store_call_buffer(self, address: int, args: list[Location]) -> None:
        """``[address + 8 * (1 + k)] := args[k]``; the first integer argument register
        := address."""
        raise NotImplementedError

    def call_f_pairs(self, op: Op, a, int_regs, float_regs, what: str
                     ) -> list[tuple[Location, Location, str]]:
        """The moves of call_f's arguments into the argument registers."""
        pairs: list[tuple[Location, Location, str]] = []
        ni = nf = 0
        for loc, v in zip(a.args, op.args):
            kind = resolve(v).kind
            if kind == "f":
                if nf >= len(float_regs):
                    raise NotImplementedError(f"call_f with more than {len(float_regs)} "
                                              "float arguments")
                pairs.append((loc, Reg(float_regs[nf], "f"), "f"))
                nf += 1
            else:
                if ni >= len(int_regs):
                    raise NotImplementedError(f"call_f with more than {len(int_regs)} "
                                              "int arguments")
                pairs.append((loc, Reg(int_regs[ni], "i"), "i"))
                ni += 1
        return pairs

