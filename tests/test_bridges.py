"""Bridges, call_loop and raw array ops on every backend target (``backend_targets``:
x86_64 native, x86_64 and aarch64 in Unicorn), differential against the reference IR
interpreter.

A loop tree (a loop plus bridges attached to guards of the loop or of other bridges)
runs natively from one ``run`` call; the reference driver below runs the same tree on
``interp.run``: when a guard fails and a bridge is attached to it, the bridge trace
runs from the guard's fail values, and its ``jump`` goes on with the loop from the
jump's values.  Both must leave through the same exit number with bit-identical
frame values.
"""
from __future__ import annotations

import array
import ctypes
import math
import os
import struct
import sys
import threading
import time

import pytest

from jitnb.jit.backend import compile_bridge, compile_trace
from jitnb.jit.backend.image import EXIT_FINISH, EXIT_INTERRUPT, CodeImage
from jitnb.jit.backend.aarch64 import registers as A
from jitnb.jit.backend.aarch64.encoder import A64Encoder
from jitnb.jit.backend.x86_64 import registers as R
from jitnb.jit.backend.x86_64.encoder import X86Encoder
from jitnb.jit.ir import interp
from jitnb.jit.ir import ops as O
from jitnb.jit.ir.trace import Const, Op, Snapshot, Trace, parse_trace, resolve, verify

from jitnb.emu.native import from_slot, to_slot

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from backend_targets import Target, define_values, fold_values, target  # noqa: E402,F401

MIN, MAX = -(1 << 63), (1 << 63) - 1
NAN = math.nan

# CPython picks the NaN of a two-NaN float op differently before and after
# specialisation; the backend follows warm CPython (see test_backend).
for _num in (O.FLOAT_ADD, O.FLOAT_SUB, O.FLOAT_MUL, O.FLOAT_TRUEDIV):
    for _ in range(1000):
        interp.PURE[_num](1.5, 2.5)


def wrap64(v: int) -> int:
    v &= (1 << 64) - 1
    return v - (1 << 64) if v >> 63 else v


def slot(v, kind):
    return to_slot(v, kind)


def parse(text: str, descrs=(), calls=None) -> Trace:
    """parse_trace, then give the raw array ops their typecodes, in order."""
    t = parse_trace(text, calls)
    raw = [op for op in t.ops if "arrayitem_raw" in op.name]
    assert len(raw) == len(descrs), f"{len(raw)} raw array ops, {len(descrs)} typecodes"
    for op, d in zip(raw, descrs):
        op.descr = d
    return t


def writable_and_executable():
    """Mappings both writable and executable, except the emulator's translation cache."""
    from jitnb.emu.unicorn_exec import emulator_rwx_mappings
    skip = {f"{lo:x}-{hi:x}" for lo, hi in emulator_rwx_mappings()}
    out = []
    with open("/proc/self/maps") as f:
        for line in f:
            addr, perms = line.split()[:2]
            if "w" in perms and "x" in perms and addr not in skip:
                out.append(addr)
    return out


# -- a harness call that checks the ABI --------------------------------------------------
_MAGIC = {R.RBX: 0x1111222233334444, R.RBP: 0x5555666677778888, R.R12: 0x0123456789ABCDEF,
          R.R13: 0x7EDCBA9876543210, R.R14: 0x0F0F0F0F0F0F0F0F, R.R15: 0x7070707070707070}
ABI_BROKEN = -1000


class AbiChecked:
    """A thunk ``int64 thunk(int64 *frame)`` that loads magic values into every
    callee-saved register, calls the code, and returns ABI_BROKEN if any of them
    changed (or the exit number otherwise)."""

    def __init__(self, target: Target, address: int) -> None:
        code = (self._x86 if target.arch == "x86_64" else self._a64)(address)
        self.code = target.load(CodeImage(target.arch, code, code_size=len(code)))

    @staticmethod
    def _x86(target: int) -> bytes:
        e = X86Encoder()
        saved = list(_MAGIC)
        for r in saved:
            e.PUSH_r(r)
        e.SUB_ri(R.RSP, 8)                        # 8 + 6*8 + 8: 16-aligned at the call
        for r, v in _MAGIC.items():
            e.MOV_ri(r, v)
        e.MOV_ri(R.R11, target)
        e.CALL_r(R.R11)
        fails = []
        for r, v in _MAGIC.items():
            e.MOV_ri(R.R11, v)
            e.CMP_rr(r, R.R11)
            fails.append(e.Jcc_j(R.CC_NE, 0))
        done = e.pos
        e.ADD_ri(R.RSP, 8)
        for r in reversed(saved):
            e.POP_r(r)
        e.RET()
        bad = e.pos
        for f in fails:
            e.patch_rel32(f, bad)
        e.MOV_ri(R.RAX, ABI_BROKEN)
        at = e.JMP_j(0)
        e.patch_rel32(at, done)
        return e.bytes()

    @staticmethod
    def _a64(target: int) -> bytes:
        """AAPCS64: x19-x28 and d8-d15 (low halves) preserved, sp and x29 restored,
        x18 (the platform register) untouched."""
        e = A64Encoder()
        gprs = list(range(A.X18, A.X29))
        fprs = list(range(A.D8, A.D16))
        e.STP_pre(A.FP, A.LR, A.SP, -16)
        e.SUB_rri(A.SP, A.SP, 160)
        for k, r in enumerate(gprs):
            e.STR_rm(r, A.SP, 8 * k)
        for k, d in enumerate(fprs):
            e.STR_dm(d, A.SP, 8 * (len(gprs) + k))
        # (two nonzero halfwords each: quick for MOV_ri to encode)
        magic = {r: 0x5A5A000000000000 | r * 0x1011 for r in gprs}
        fmagic = {d: 0x3FF0000000000000 | d * 0x1101 for d in fprs}
        for r, v in magic.items():
            e.MOV_ri(r, v)
        for d, v in fmagic.items():
            e.MOV_ri(A.X16, v)
            e.FMOV_dr(d, A.X16)
        e.MOV_rsp(A.FP)
        e.MOV_ri(A.X16, target)
        e.BLR_r(A.X16)
        fails = []
        e.MOV_rsp(A.X16)
        e.CMP_rr(A.X16, A.FP)
        fails.append(e.B_cond_cj(A.NE, 0))
        for r, v in magic.items():
            e.MOV_ri(A.X16, v)
            e.CMP_rr(r, A.X16)
            fails.append(e.B_cond_cj(A.NE, 0))
        for d, v in fmagic.items():
            e.MOV_ri(A.X16, v)
            e.FMOV_rd(A.X17, d)
            e.CMP_rr(A.X17, A.X16)
            fails.append(e.B_cond_cj(A.NE, 0))
        done = e.pos
        for k, r in enumerate(gprs):
            e.LDR_rm(r, A.SP, 8 * k)
        for k, d in enumerate(fprs):
            e.LDR_dm(d, A.SP, 8 * (len(gprs) + k))
        e.ADD_rri(A.SP, A.SP, 160)
        e.LDP_post(A.FP, A.LR, A.SP, 16)
        e.RET()
        bad = e.pos
        for f in fails:
            e.patch_branch(f, bad)
        e.MOV_ri(A.X0, ABI_BROKEN)
        e.B_j(done - e.pos)
        return e.bytes()

    def __call__(self, frame) -> int:
        return self.code.run(frame)


# -- loop trees ------------------------------------------------------------------------------
class Tree:
    """A loop and the bridges attached to it, natively and on the reference interpreter."""

    def __init__(self, target: Target, loop_text: str, descrs=(), calls=None) -> None:
        self.target = target
        self.loop = parse(loop_text, descrs, calls)
        verify(self.loop)
        self.image = target.compile(self.loop)
        self.code = target.load(self.image)
        self.kinds = "".join(v.kind for v in self.loop.inputs)
        # name -> (trace, image, code, first_exit)
        self.parts: dict[str, tuple] = {"loop": (self.loop, self.image, self.code, 0)}
        self.attached: dict[tuple[str, int], str] = {}
        self.next_exit = len(self.loop.guards())
        self.exit_owner = {g: ("loop", g) for g in range(self.next_exit)}
        self.ref_traces = {"loop": self.loop if self.loop.ops[-1].num == O.JUMP
                           else _sentinel_trace(self.loop)}
        self.thunk = None

    def attach(self, parent: str, guard: int, text: str, descrs=(), calls=None,
               absolute=None, name=None, near=None) -> str:
        trace = parse(text, descrs, calls)
        ptrace, pimage, pcode, _ = self.parts[parent]
        assert len(trace.inputs) == len(ptrace.guards()[guard].snapshot.fail_args())
        image = self.target.compile_bridge(trace, pimage, pcode.address, guard,
                                           self.next_exit, self.image, self.code.address)
        assert image.is_bridge and image.first_exit == self.next_exit
        code = self.target.load(image, near=self.code.address if near is None else near)
        pcode.attach_bridge(guard, code, root=self.code, absolute=absolute)
        name = name or f"b{len(self.parts)}"
        self.parts[name] = (trace, image, code, self.next_exit)
        for i in range(len(trace.guards())):
            self.exit_owner[self.next_exit + i] = (name, i)
        self.next_exit += len(trace.guards())
        self.attached[(parent, guard)] = name
        self.ref_traces[name] = _sentinel_trace(trace)
        return name

    # native --------------------------------------------------------------------------
    def native(self, inputs, frame0=0, check_abi=True):
        frame = self.code.make_frame([slot(v, k) for v, k in zip(inputs, self.kinds)],
                                     "i" * len(inputs))
        frame[0] = frame0
        if check_abi:
            if self.thunk is None:
                self.thunk = AbiChecked(self.target, self.code.entry_address)
            if len(frame) < self.code.frame_slots:
                raise AssertionError("frame too small")
            r = self.thunk(frame)
            assert r != ABI_BROKEN, "a callee-saved register was not preserved"
        else:
            r = self.code.run(frame)
        return r, list(frame)

    # reference -----------------------------------------------------------------------
    def reference(self, inputs, limit=1_000_000):
        """(exit number, frame slots the exit reports) on the reference interpreter."""
        part, vals = "loop", list(inputs)
        for _ in range(limit):
            trace = self.ref_traces[part]
            ex = interp.run(trace, vals)
            if ex.guard is getattr(trace, "sentinel", None):
                vals = [ex.values[f"j{k}"] for k in range(len(ex.values))]
                if trace.ends_with == "finish":
                    kinds = trace.end_kinds
                    return EXIT_FINISH, [slot(v, k) for v, k in zip(vals, kinds)]
                part = "loop"
                continue
            fail = fail_values(ex)
            key = (part, ex.index)
            if key in self.attached:
                part, vals = self.attached[key], [v for v, _ in fail]
                continue
            first = self.parts[part][3]
            return first + ex.index, [slot(v, k) for v, k in fail]
        raise AssertionError("reference driver did not finish")

    def check(self, inputs, **kw):
        want = self.reference(inputs)
        got, frame = self.native(inputs, **kw)
        assert got == want[0], f"exit {got} != reference {want[0]} for {inputs}"
        n = len(want[1])
        assert all(self.target.same_slot(a, b) for a, b in zip(frame[1:1 + n], want[1])), \
            f"exit {got}: frame {frame[1:1 + n]} != reference {want[1]} for {inputs}"
        return want

    def free(self):
        for _, _, code, _ in self.parts.values():
            code.free()
        if self.thunk is not None:
            self.thunk.code.free()


def fail_values(ex):
    """The fail_args of the failed guard, in order, as (value, kind)."""
    snap = ex.guard.snapshot
    out = []
    for v in snap.fail_args():
        name = next(n for n, x in snap.values if x is v)
        out.append((ex.values[name], resolve(v).kind))
    return out


def _sentinel_trace(bridge: Trace) -> Trace:
    """The bridge for the reference interpreter: its final jump/finish becomes a guard
    that always fails and reports the arguments (j0, j1, ...)."""
    t = bridge.copy()
    last = t.ops.pop()
    snap = Snapshot([(f"j{k}", a) for k, a in enumerate(last.args)], 0)
    sentinel = Op(O.GUARD_TRUE, [Const(0)], snap)
    t.ops.append(sentinel)
    t.sentinel = sentinel
    t.ends_with = "jump" if last.num == O.JUMP else "finish"
    t.end_kinds = [resolve(a).kind for a in last.args]
    return t


# -- a branchy loop with bridges on both sides ---------------------------------------------
# for i in range(i, n):
#     if i % 3 == 0: s += 2 * i          (loop: else s -= 1)
#     if i % 5 == 0: t = t + s           (loop: else t ^= i)
BRANCHY = """
label(i0, i1, i2, i3)
i4 = int_lt(i0, i1)
guard_true(i4) [snap 0: i=i0 n=i1 s=i2 t=i3 @line 1]
i5 = int_mod(i0, 3)
i6 = int_eq(i5, 0)
guard_false(i6) [snap 1: i=i0 n=i1 s=i2 t=i3 @line 2]
i7 = int_sub(i2, 1)
i8 = int_mod(i0, 5)
i9 = int_eq(i8, 0)
guard_false(i9) [snap 2: i=i0 n=i1 s=i7 t=i3 @line 3]
i10 = int_xor(i3, i0)
i11 = int_add(i0, 1)
jump(i11, i1, i7, i10)
"""
# guard 1 failed: i % 3 == 0
BRANCHY_B1 = """
label(i0, i1, i2, i3)
i4 = int_mul(i0, 2)
i5 = int_add(i2, i4)
i6 = int_mod(i0, 5)
i7 = int_eq(i6, 0)
guard_false(i7) [snap 0: i=i0 n=i1 s=i5 t=i3 @line 3]
i8 = int_xor(i3, i0)
i9 = int_add(i0, 1)
jump(i9, i1, i5, i8)
"""
# guard 2 (loop) or bridge guard 0 failed: i % 5 == 0
BRANCHY_B5 = """
label(i0, i1, i2, i3)
i4 = int_add(i3, i2)
i5 = int_add(i0, 1)
jump(i5, i1, i2, i4)
"""


def branchy_python(i, n, s, t):
    while i < n:
        s = s + 2 * i if i % 3 == 0 else s - 1
        t = t + s if i % 5 == 0 else t ^ i
        i += 1
    return i, n, s, t


def test_branchy_loop_without_bridges_exits_at_each_side(target):
    tree = Tree(target, BRANCHY)
    try:
        assert tree.check((1, 100, 0, 0))[0] == 1        # i = 3
        assert tree.check((4, 100, 0, 0))[0] == 2        # i = 5
        assert tree.check((7, 7, 0, 0))[0] == 0
    finally:
        tree.free()


def test_bridges_on_both_sides_run_the_loop_to_its_end(target):
    tree = Tree(target, BRANCHY)
    try:
        b1 = tree.attach("loop", 1, BRANCHY_B1)
        tree.attach("loop", 2, BRANCHY_B5)
        # Without the bridge on the bridge's guard, i % 15 == 0 leaves by exit 3.
        want = tree.check((1, 100, 0, 0))
        assert want[0] == 3 and want[1][0] == 15
        tree.attach(b1, 0, BRANCHY_B5)               # a bridge on a bridge guard
        for inputs in [(0, 100, 0, 0), (1, 1000, 5, -7), (0, 0, 1, 1), (-30, 31, MAX, MIN),
                       (MAX - 40, MAX, 3, 3)]:
            exit_no, slots = tree.check(inputs)
            assert exit_no == 0
            assert slots == [slot(v, "i") for v in branchy_python(*inputs)]
        assert writable_and_executable() == []
    finally:
        tree.free()


def test_bridge_image_metadata_and_listing(target):
    tree = Tree(target, BRANCHY)
    try:
        name = tree.attach("loop", 1, BRANCHY_B1)
        trace, image, code, first = tree.parts[name]
        assert image.kind == "bridge" and image.first_exit == first == 3
        assert image.reload_address == tree.code.address + tree.image.reload_offset
        assert tree.image.guard_target(1, tree.code.address) == code.address
        assert image.loop_frame_size == tree.image.frame_size
        assert image.loop_saved_regs == tree.image.saved_regs
        assert image.input_kinds == "iiii" == tree.image.guard_kinds[1]
        text = image.listing(trace, code.address)
        x86 = target.arch == "x86_64"
        for line in ("# 0: label", "bridge entry", "# 5: guard_false", "# 8: jump",
                     "exit stub for guard 0 (exit 3)", "interrupt exit",
                     "jmp r11" if x86 else "br x16"):
            assert line in text, line
        assert "reload entry" in tree.image.listing(tree.loop)
        # op_instructions: the jump stores 4 values, polls, jumps to the loop absolutely
        insns = image.op_instructions(len(trace.ops) - 1, code.address)
        mnems = [m for _, m, _ in insns]
        if x86:
            assert mnems.count("mov") >= 4 and "cmp" in mnems and mnems[-1] == "jmp"
            assert any(hex(image.reload_address) in ops for _, _, ops in insns)
        else:                   # str x4; ldr x16, [x28]; cbnz; ldr x16, =reload; br x16
            assert mnems.count("str") >= 4 and "cbnz" in mnems and mnems[-2:] == ["ldr", "br"]
            lit = insns[-2][0] - code.address + int(insns[-2][2].split("#")[1], 16) \
                - insns[-2][0]
            assert struct.unpack_from("<Q", image.code, lit)[0] == image.reload_address
        for i, (start, end) in enumerate(image.op_offsets):
            for addr, _, _ in image.op_instructions(i, code.address):
                assert code.address + start <= addr < code.address + end
    finally:
        tree.free()


def test_attach_while_not_running_then_resume_from_the_exit(target):
    tree = Tree(target, BRANCHY)
    try:
        r, frame = tree.native((1, 50, 0, 0))
        assert r == 1 and frame[1] == 3
        b1 = tree.attach("loop", 1, BRANCHY_B1)
        r, frame = tree.native(frame[1:5])                  # resume where it left
        assert r == 2 and frame[1] == 5
        tree.attach("loop", 2, BRANCHY_B5)
        r, frame = tree.native(frame[1:5])
        assert r == 3 and frame[1] == 15                   # the bridge's own guard
        tree.attach(b1, 0, BRANCHY_B5)
        state = frame[1:5]
        r, frame = tree.native(state)
        assert r == 0 and frame[1:5] == [slot(v, "i") for v in branchy_python(*state)]
        assert frame[1:3] == [50, 50]
    finally:
        tree.free()


def test_absolute_patch_through_the_exit_stub(target):
    tree = Tree(target, BRANCHY)
    try:
        b1 = tree.attach("loop", 1, BRANCHY_B1, absolute=True)
        tree.attach("loop", 2, BRANCHY_B5, absolute=True)
        tree.attach(b1, 0, BRANCHY_B5, absolute=True)
        code = tree.parts[b1][2]
        at, stub = tree.image.guard_offsets[1]
        assert tree.image.guard_target(1, tree.code.address) == code.address
        if target.arch == "x86_64":
            assert tree.image.code[stub:stub + 2] == b"\x49\xbb"     # movabs r11, bridge
        else:                                                        # ldr x16, lit; br x16
            assert struct.unpack_from("<I", tree.image.code, stub + 4)[0] == 0xD61F0200
        exit_no, slots = tree.check((0, 200, 1, 2))
        assert exit_no == 0 and slots == [slot(v, "i") for v in branchy_python(0, 200, 1, 2)]
        # patching again goes back to the direct branch
        tree.code.patch_guard(1, code.address)
        assert tree.image.guard_target(1, tree.code.address) == code.address
        assert tree.check((0, 200, 1, 2))[0] == 0
        assert writable_and_executable() == []
    finally:
        tree.free()


def test_patching_a_running_loop_is_refused_and_interrupt_reaches_bridges(target):
    # Every iteration goes through the bridge (guard 0 always fails); only the
    # interrupt word ends it.
    loop = """
label(i0, i1, f2)
i3 = int_and(i0, 1)
guard_value(i3, 7) [snap 0: i=i0 s=i1 f=f2 @line 1]
jump(i0, i1, f2)
"""
    bridge = """
label(i0, i1, f2)
i3 = int_add(i0, 1)
i4 = int_add(i1, i0)
f5 = float_add(f2, 1.0)
jump(i3, i4, f5)
"""
    tree = Tree(target, loop)
    try:
        tree.attach("loop", 0, bridge)
        frame = tree.code.make_frame([0, 0, slot(0.0, "f")], "iii")
        result = []
        th = threading.Thread(target=lambda: result.append(tree.code.run(frame)))
        th.start()
        try:
            deadline = time.monotonic() + 5
            while not tree.code._running and time.monotonic() < deadline:
                time.sleep(0.001)
            time.sleep(0.02)
            with pytest.raises(RuntimeError):
                tree.code.patch_guard(0, tree.parts["b1"][2].address)
        finally:
            frame[0] = 1
            th.join(10)
        assert result == [EXIT_INTERRUPT]
        i, s, f = frame[1], frame[2], from_slot(frame[3], "f")
        assert i > 1000 and s == i * (i - 1) // 2 and f == float(i)
    finally:
        tree.free()


# -- spills ---------------------------------------------------------------------------------
def _wide_bridge(n_int=18, n_float=18):
    """A bridge with n_int + n_float values live at once, folded into s and f."""
    lines = ["label(i0, i1, i2, f3, f4)"]
    ints, k = define_values(lines, 5, n_int, "i", lambda j: f"int_mul(i0, {2 * j + 3})")
    floats, k = define_values(lines, k, n_float, "f", lambda j: f"float_add(f3, {j + 0.25})")
    acc, k = fold_values(lines, k, "i2", reversed(ints), "i", "int_xor")
    facc, k = fold_values(lines, k, "f4", reversed(floats), "f", "float_add")
    lines.append(f"i{k} = int_lt({acc}, -1000000000000)")
    snap = " ".join(f"v{j}={v}" for j, v in enumerate(ints + floats))
    lines.append(f"guard_false(i{k}) [snap 0: {snap} s={acc} f={facc} @line 9]")
    lines.append(f"i{k + 1} = int_add(i0, 1)")
    lines.append(f"jump(i{k + 1}, i1, {acc}, f3, {facc})")
    return "\n".join(lines)


SPILL_LOOP = """
label(i0, i1, i2, f3, f4)
i5 = int_lt(i0, i1)
guard_true(i5) [snap 0: i=i0 n=i1 s=i2 f=f3 g=f4 @line 1]
i6 = int_and(i0, 1)
guard_value(i6, 0) [snap 1: i=i0 n=i1 s=i2 f=f3 g=f4 @line 2]
i7 = int_add(i2, i0)
f8 = float_mul(f4, 0.5)
i9 = int_add(i0, 1)
jump(i9, i1, i7, f3, f8)
"""


def test_bridge_with_many_live_values_spills(target):
    tree = Tree(target, SPILL_LOOP)
    try:
        n_int, n_float = (18, 18) if target.arch == "x86_64" else (30, 36)
        name = tree.attach("loop", 1, _wide_bridge(n_int, n_float))
        image = tree.parts[name][1]
        assert image.frame_size > 0                       # its own spill slots
        assert image.saved_regs                           # callee-saved the loop left alone
        if target.arch == "x86_64":
            assert (len(image.saved_regs) * 8 + image.frame_size) % 16 == 0
        for inputs in [(0, 40, 1, 1.5, 2.0), (0, 9, -5, -0.25, 1e300), (3, 60, MAX, NAN, -0.0),
                       (0, 30, MIN, math.inf, 3.0)]:
            assert tree.check(inputs)[0] in (0, 2)
        # the bridge's guard fails for very negative s
        assert tree.check((1, 40, MIN, 1.0, 1.0))[0] == 2
    finally:
        tree.free()


def _spilled_loop(n=16):
    """A loop whose guard has more live values than registers (parent values on the
    stack), plus a bridge that reads all of them and feeds them back."""
    ins = [f"i{k}" for k in range(n)] + [f"f{k}" for k in range(n, 2 * n)]
    lines = [f"label({', '.join(ins)})"]
    k = 2 * n
    lines.append(f"i{k} = int_sub(i0, 1)")
    cnt = f"i{k}"
    k += 1
    lines.append(f"i{k} = int_and({cnt}, 3)")
    lines.append(f"guard_value(i{k}, 1) [snap 0: "
                 + " ".join(f"x{j}={v}" for j, v in enumerate([cnt] + ins[1:])) + " @line 1]")
    k += 1
    lines.append(f"i{k} = int_gt({cnt}, 0)")
    lines.append(f"guard_true(i{k}) [snap 1: "
                 + " ".join(f"x{j}={v}" for j, v in enumerate([cnt] + ins[1:])) + " @line 2]")
    k += 1
    ints = [cnt] + ins[2:n] + [ins[1]]                 # rotate i1..i{n-1}
    floats = ins[n + 1:] + [ins[n]]
    lines.append(f"jump({', '.join(ints + floats)})")
    loop = "\n".join(lines)
    # bridge: same inputs as the guard's fail_args; adds j to int j and multiplies floats
    b = [f"label({', '.join(ins)})"]
    k = 2 * n
    outs = []
    for j in range(n):
        b.append(f"i{k} = int_add(i{j}, {j})" if j else f"i{k} = same_as_i(i0)")
        outs.append(f"i{k}")
        k += 1
    for j in range(n, 2 * n):
        b.append(f"f{k} = float_mul(f{j}, 1.5)")
        outs.append(f"f{k}")
        k += 1
    b.append(f"i{k} = int_gt(i0, 0)")
    b.append(f"guard_true(i{k}) [snap 0: " + " ".join(f"y{j}={v}" for j, v in enumerate(outs))
             + " @line 3]")
    b.append(f"jump({', '.join(outs)})")
    return loop, "\n".join(b)


def test_bridge_on_a_guard_whose_values_are_spilled(target):
    n = 16 if target.arch == "x86_64" else 34
    loop, bridge = _spilled_loop(n)
    tree = Tree(target, loop)
    try:
        assert tree.image.frame_size > 0
        assert any(not hasattr(loc, "num") for loc in tree.image.guard_locations[0])
        tree.attach("loop", 0, bridge)
        ins = [37] + list(range(100, 99 + n)) + [0.5 * k - 3 for k in range(n)]
        exit_no, _ = tree.check(ins)
        assert exit_no in (1, 2)
        ins[0] = 200
        ins[n + 1] = NAN
        tree.check(ins)
    finally:
        tree.free()


# -- floats ---------------------------------------------------------------------------------
FLOAT_LOOP = """
label(i0, f1, f2, f3)
i4 = int_gt(i0, 0)
guard_true(i4) [snap 0: n=i0 x=f1 y=f2 z=f3 @line 1]
i5 = float_lt(f1, f2)
guard_true(i5) [snap 1: n=i0 x=f1 y=f2 z=f3 @line 2]
f6 = float_add(f1, 0.75)
f7 = float_mul(f3, 1.0625)
i8 = int_sub(i0, 1)
jump(i8, f6, f2, f7)
"""
# x >= y: swap roles, shrink z, count down
FLOAT_BRIDGE = """
label(i0, f1, f2, f3)
f4 = float_sub(f1, f2)
f5 = float_truediv(f3, 3.0)
f6 = float_sqrt(f4)
f7 = float_sub(f2, f6)
f8 = float_sub(f7, 2.0)
i9 = float_ne(f5, f5)
guard_false(i9) [snap 0: n=i0 a=f4 b=f5 c=f6 @line 3]
i10 = int_sub(i0, 1)
jump(i10, f8, f2, f5)
"""


def test_float_values_across_bridges(target):
    tree = Tree(target, FLOAT_LOOP)
    try:
        tree.attach("loop", 1, FLOAT_BRIDGE)
        cases = [(50, 0.0, 10.0, 1.0), (80, 11.0, 10.0, -2.5), (30, -1e300, 1e300, 1e-300),
                 (10, NAN, 1.0, 2.0), (25, 5.0, 5.0, -0.0), (40, 0.0, 7.0, NAN),
                 (40, 0.0, math.inf, 1.0), (12, 3.0, -math.inf, 1.0)]
        exits = {tree.check(c)[0] for c in cases}
        assert 0 in exits and 2 in exits
    finally:
        tree.free()


def test_finish_in_a_bridge(target):
    bridge = """
label(i0, f1, f2, f3)
f4 = float_add(f1, f3)
i5 = cast_float_to_int(f4)
finish(i5, f4, i0)
"""
    tree = Tree(target, FLOAT_LOOP)
    try:
        tree.attach("loop", 1, bridge)
        z = 1.5 * 1.0625 * 1.0625 * 1.0625                # three iterations before x >= y
        assert tree.check((50, 8.0, 10.0, 1.5)) == (EXIT_FINISH, [slot(12, "i"),
                                                                   slot(10.25 + z, "f"),
                                                                   slot(47, "i")])
        tree.check((5, 1e30, 1.0, 1e30))
    finally:
        tree.free()


def test_three_levels_of_bridges(target):
    # Loop counts down; each level handles one more residue class of i mod 4.
    loop = """
label(i0, i1)
i2 = int_gt(i0, 0)
guard_true(i2) [snap 0: i=i0 s=i1 @line 1]
i3 = int_and(i0, 3)
guard_value(i3, 0) [snap 1: i=i0 s=i1 r=i3 @line 2]
i4 = int_add(i1, 1000)
i5 = int_sub(i0, 1)
jump(i5, i4)
"""
    level = """
label(i0, i1, i2)
guard_value(i2, {r}) [snap 0: i=i0 s=i1 r=i2 @line 3]
i3 = int_add(i1, {add})
i4 = int_sub(i0, 1)
jump(i4, i3)
"""
    tree = Tree(target, loop)
    try:
        p = tree.attach("loop", 1, level.format(r=1, add=100))
        exit_no, _ = tree.check((10, 0))
        assert exit_no == 2                                     # i = 10: r = 2
        p = tree.attach(p, 0, level.format(r=2, add=10))
        assert tree.check((10, 0))[0] == 3                      # i = 7: r = 3
        tree.attach(p, 0, """
label(i0, i1, i2)
i3 = int_add(i1, 1)
i4 = int_sub(i0, 1)
jump(i4, i3)
""")
        want = sum({0: 1000, 1: 100, 2: 10, 3: 1}[i & 3] for i in range(1, 101))
        assert tree.check((100, 0)) == (0, [0, want])
    finally:
        tree.free()


# -- raw array ops --------------------------------------------------------------------------
def _range(code):
    size = array.array(code).itemsize * 8
    if code.islower():
        return -(1 << (size - 1)), (1 << (size - 1)) - 1
    return 0, (1 << size) - 1


def _int_edges(code):
    lo, hi = _range(code)
    vals = [lo, hi, 0, 1, lo + 1, hi - 1, hi // 2, (hi + 1) // 2 if code.isupper() else -1, 100]
    return [max(lo, min(hi, v)) for v in vals]


def _store_expect(code, v):
    """What ``arr[k] = v`` holds after a raw store of int64 ``v`` (low bytes kept)."""
    lo, hi = _range(code)
    bits = (hi - lo).bit_length()
    v &= (1 << bits) - 1
    if lo < 0 and v >> (bits - 1):
        v -= 1 << bits
    return v


def _addr(arr):
    return arr.buffer_info()[0]


INT_CODES = "bBhHiIlLqQ"
# The reference interpreter reads 'l'/'L' with struct's standard 4-byte size although
# its ELEMENT table (native) says 8, and returns 'Q'/'L' values >= 2**63 unsigned.
INTERP_BROKEN = {"l", "L"}


def _loaded(target, trace):
    """``trace`` verified, compiled for ``target`` and loaded."""
    verify(trace)
    return target.load(target.compile(trace))


def _loaded_elements(arr, k):
    """What ``_load_trace``'s loads read from ``arr`` with index ``k``."""
    return [arr[k], arr[2], arr[3], arr[k], arr[1], arr[0], arr[8 - k]]


def _load_trace(code, base, kind):
    size = array.array(code).itemsize
    op = "getarrayitem_raw_" + kind
    far = 1 << 31                                          # index * size beyond disp32
    return parse(f"""
label(i0, i1)
{kind}2 = {op}(i0, i1)
{kind}3 = {op}({base}, 2)
{kind}4 = {op}(i0, 3)
{kind}5 = {op}({base}, i1)
i6 = int_sub(i0, {far * size})
{kind}7 = {op}(i6, {far + 1})
i8 = int_add(i0, {4 * size})
{kind}9 = {op}(i8, -4)
i10 = int_neg(i1)
i11 = int_add(i0, {8 * size})
{kind}12 = {op}(i11, i10)
guard_true(0) [snap 0: a={kind}2 b={kind}3 c={kind}4 d={kind}5 e={kind}7 f={kind}9 g={kind}12 @line 1]
jump(i0, i1)
""", [code] * 7)


def _run_straight(code_obj, trace, inputs):
    frame = code_obj.make_frame([slot(v, "i") for v in inputs], "i" * len(inputs))
    assert code_obj.run(frame) == 0
    kinds = [resolve(v).kind for v in trace.guards()[0].snapshot.fail_args()]
    return [from_slot(frame[1 + j], k) for j, k in enumerate(kinds)]


def _same(a, b):
    if isinstance(a, float) or isinstance(b, float):
        return struct.pack("<d", a) == struct.pack("<d", b)
    return a == b


@pytest.mark.parametrize("code", list(INT_CODES))
def test_raw_int_loads_every_typecode(code, target):
    arr = array.array(code, (_int_edges(code) * 2)[:12])
    base = _addr(arr)
    trace = _load_trace(code, base, "i")
    native = _loaded(target, trace)
    try:
        for k in range(8):
            got = _run_straight(native, trace, (base, k))
            want = _loaded_elements(arr, k)
            assert got == [wrap64(v) for v in want], (code, k)
            if code not in INTERP_BROKEN:
                ex = interp.run(trace, [base, k])
                assert [wrap64(v) for v in ex.values.values()] == got
    finally:
        native.free()


@pytest.mark.parametrize("code", ["f", "d"])
def test_raw_float_loads(code, target):
    if code == "f":
        patterns = [0x7F800001, 0xFFC00001, 0x00000001, 0x7F7FFFFF, 0x80000000, 0x3F800000,
                    0xFF800000, 0x7FC00000, 0x00800000, 0xC0490FDB, 0x3DCCCCCD, 0x7F800000]
        arr = array.array("f")
        arr.frombytes(struct.pack("<12I", *patterns))
    else:
        arr = array.array("d", [0.0, -0.0, 5e-324, 1e308, -math.inf, NAN, 0.1, -2.5,
                                struct.unpack("<d", struct.pack("<Q", 0x7FF0000000000123))[0],
                                1.0, 2.0, 3.0])
    base = _addr(arr)
    trace = _load_trace(code, base, "f")
    native = _loaded(target, trace)
    try:
        for k in range(8):
            got = _run_straight(native, trace, (base, k))
            want = _loaded_elements(arr, k)
            assert all(_same(g, w) for g, w in zip(got, want)), (code, k, got, want)
            ex = interp.run(trace, [base, k])
            assert all(_same(g, w) for g, w in zip(got, ex.values.values()))
    finally:
        native.free()


def _store_trace(code, base, kind, const):
    op = "setarrayitem_raw_" + kind
    size = array.array(code).itemsize
    return parse(f"""
label(i0, i1, {kind}2)
{op}(i0, i1, {kind}2)
{op}({base}, 0, {const})
{op}(i0, 1, {kind}2)
i3 = int_add(i1, 2)
{op}({base}, i3, {kind}2)
i4 = int_sub(i0, {(1 << 32) * size})
{op}(i4, {(1 << 32) + 6}, {const})
guard_true(0) [snap 0: @line 1]
jump(i0, i1, {kind}2)
""", [code] * 5)


@pytest.mark.parametrize("code", list(INT_CODES))
def test_raw_int_stores_truncate(code, target):
    lo, hi = _range(code)
    values = [0, 1, -1, lo, hi, lo - 1, hi + 1, MIN, MAX, 0x123456789ABCDEF0 - (1 << 64),
              0x7EDCBA9876543210, 0x80, 0x8000, 0x80000000]
    for const in (-2, 0x1122334455667788, 0x7F, MIN):
        arr = array.array(code, [0] * 10)
        base = _addr(arr)
        trace = _store_trace(code, base, "i", const)
        native = _loaded(target, trace)
        try:
            for v in values:
                k = 3 + (v & 1)
                arr[:] = array.array(code, [0] * 10)
                frame = native.make_frame([base, k, slot(v, "i")], "iii")
                assert native.run(frame) == 0
                want = [0] * 10                           # in program order
                want[k] = want[0] = _store_expect(code, const)
                want[k] = _store_expect(code, v)
                want[0] = _store_expect(code, const)
                want[1] = want[k + 2] = _store_expect(code, v)
                want[6] = _store_expect(code, const)
                assert arr.tolist() == want, (code, v, const)
                if code not in INTERP_BROKEN:
                    arr[:] = array.array(code, [0] * 10)
                    interp.run(trace, [base, k, wrap64(v)])
                    assert arr.tolist() == want, ("interp", code, v)
        finally:
            native.free()


@pytest.mark.parametrize("code", ["f", "d"])
def test_raw_float_stores_round(code, target):
    values = [0.0, -0.0, 1.1, -2.5, 1e-45, 1.4e-45, 3.4028234663852886e38, 1e-40, math.inf,
              -math.inf, NAN, struct.unpack("<d", struct.pack("<Q", 0xFFF8000000000123))[0],
              0.1, 5e-324, 1e300, -1e300]
    for const in (0.1, -3.5, NAN, 1e300):
        arr = array.array(code, [0.0] * 10)
        base = _addr(arr)
        trace = _store_trace(code, base, "f", const)
        native = _loaded(target, trace)
        try:
            for v in values:
                k = 3
                arr[:] = array.array(code, [0.0] * 10)
                frame = native.make_frame([base, k, slot(v, "f")], "iii")
                assert native.run(frame) == 0
                twin = array.array(code, [0.0] * 10)     # the array module's conversion
                twin[k] = v
                twin[0] = const
                twin[1] = twin[k + 2] = v
                twin[6] = const
                assert arr.tobytes() == twin.tobytes(), (code, v, const)
                fits = code == "d" or all(abs(x) < 3.5e38 or not math.isfinite(x)
                                          for x in (v, const))
                if fits:                     # struct.pack('<f') refuses out-of-range values
                    arr[:] = array.array(code, [0.0] * 10)
                    interp.run(trace, [base, k, v])
                    assert arr.tobytes() == twin.tobytes(), ("interp", code, v, const)
        finally:
            native.free()


def test_raw_ops_with_many_live_bases(target):
    """Bases and indexes in every register (r12/r13 bases need SIB/disp8 forms)."""
    arr = array.array("q", range(1000, 1064))
    base = _addr(arr)
    n = 14
    lines = ["label(i0, i1)"]
    k = 2
    bases, idxs = [], []
    for j in range(n):
        lines.append(f"i{k} = int_add(i0, {8 * j})")
        bases.append(f"i{k}")
        k += 1
        lines.append(f"i{k} = int_add(i1, {j})")
        idxs.append(f"i{k}")
        k += 1
    loads = []
    for b, x in zip(bases, idxs):
        lines.append(f"i{k} = getarrayitem_raw_i({b}, {x})")
        loads.append(f"i{k}")
        k += 1
    for b, x, v in zip(bases, idxs, loads):
        lines.append(f"setarrayitem_raw_i({b}, {x}, {v})")
    lines.append("guard_true(0) [snap 0: " + " ".join(f"v{j}={v}" for j, v in enumerate(loads))
                 + " @line 1]")
    lines.append("jump(i0, i1)")
    trace = parse("\n".join(lines), ["q"] * (2 * n))
    native = target.load(target.compile(trace))
    try:
        got = _run_straight(native, trace, (base, 3))
        assert got == [arr[3 + 2 * j] for j in range(n)]
        ex = interp.run(trace, [base, 3])
        assert list(ex.values.values()) == got
    finally:
        native.free()


def test_raw_op_descriptor_is_checked():
    t = parse("label(i0)\ni1 = getarrayitem_raw_i(i0, 0)\njump(i1)", ["d"])
    with pytest.raises(ValueError):
        compile_trace(t)
    t = parse("label(i0)\nf1 = getarrayitem_raw_f(i0, 0)\njump(i0)", ["x"])
    with pytest.raises(ValueError):
        compile_trace(t)


# -- call_loop ------------------------------------------------------------------------------
INNER = """
label(i0, i1, f2)
i3 = int_lt(i0, i1)
guard_true(i3) [snap 0: i=i0 n=i1 acc=f2 @line 1]
f4 = cast_int_to_float(i0)
f5 = float_mul(f4, 0.5)
f6 = float_add(f2, f5)
i7 = int_add(i0, 1)
jump(i7, i1, f6)
"""


class LoopDescr:
    """call_loop descriptor: another loop's native code and its frame array;
    ``call_reference`` runs that loop on the reference interpreter and leaves its
    fail values in the same frame array, as the driver does."""

    def __init__(self, target: Target, text: str, bridges=()):
        self.tree = Tree(target, text)
        for parent, guard, btext in bridges:
            self.tree.attach(parent, guard, btext)
        self.code = self.tree.code
        self.frame = self.code.make_frame()
        self.frame_address = ctypes.addressof(self.frame)
        self.entry_address = self.code.entry_address
        self.input_kinds = self.tree.kinds
        self.calls = 0

    def call_reference(self, args):
        self.calls += 1
        exit_no, slots = self.tree.reference(args)
        for j, s in enumerate(slots):
            self.frame[1 + j] = s
        return exit_no

    def __str__(self):
        return "inner"

    def free(self):
        self.tree.free()


def _outer(descr):
    fa = descr.frame_address
    return f"""
label(i0, i1, f2, i3)
i4 = int_add(i0, 1)
i5 = call_loop(inner, 0, i4, f2)
guard_value(i5, 0) [snap 0: k=i0 n=i1 acc=f2 tot=i3 r=i5 @line 1]
i6 = getarrayitem_raw_i({fa}, 1)
f7 = getarrayitem_raw_f({fa}, 3)
i8 = int_add(i3, i6)
i9 = int_lt(i4, i1)
guard_true(i9) [snap 1: k=i4 n=i1 acc=f7 tot=i8 @line 2]
jump(i4, i1, f7, i8)
"""


def test_call_loop_runs_the_inner_loop_natively(target):
    inner = LoopDescr(target, INNER)
    try:
        tree = Tree(target, _outer(inner), ["q", "d"], {"inner": inner})
        try:
            for n, acc in [(1, 0.0), (10, 1.5), (40, -3.25), (3, NAN)]:
                exit_no, slots = tree.check((0, n, acc, 0))
                assert exit_no == 1
            assert inner.calls > 0
            # what the loops compute
            exit_no, frame = tree.native((0, 10, 0.0, 0))
            want_acc = 0.0
            for k in range(1, 11):
                for i in range(k):
                    want_acc += i * 0.5
            assert frame[1:5] == [10, 10, slot(want_acc, "f"), sum(range(1, 11))]
            assert "call_loop(inner" in tree.image.listing(tree.loop)
            assert tree.image.loop_call_sites[0][1] is inner
        finally:
            tree.free()
    finally:
        inner.free()


def test_call_loop_passes_the_interrupt_word_on(target):
    inner = LoopDescr(target, INNER)
    try:
        tree = Tree(target, _outer(inner), ["q", "d"], {"inner": inner})
        try:
            r, frame = tree.native((0, 10, 0.0, 0), frame0=1)
            assert r == 0                                   # guard_value(result, 0) failed
            assert frame[5] == EXIT_INTERRUPT               # r = the inner loop's -2
            assert inner.frame[0] == 1 and inner.frame[1] == 1   # after one inner iteration
        finally:
            tree.free()
    finally:
        inner.free()


def test_call_loop_into_a_loop_with_a_bridge_and_values_live_across(target):
    # The inner loop leaves at i % 7 == 6 unless its bridge is attached.
    inner_text = """
label(i0, i1, f2)
i3 = int_lt(i0, i1)
guard_true(i3) [snap 0: i=i0 n=i1 acc=f2 @line 1]
i4 = int_mod(i0, 7)
guard_value(i4, 0) [snap 1: i=i0 n=i1 acc=f2 @line 2]
f5 = float_add(f2, 1.0)
i6 = int_add(i0, 1)
jump(i6, i1, f5)
"""
    bridge = """
label(i0, i1, f2)
f3 = float_add(f2, 0.125)
i4 = int_add(i0, 1)
jump(i4, i1, f3)
"""
    inner = LoopDescr(target, inner_text, [("loop", 1, bridge)])
    fa = inner.frame_address
    ints = [f"i{k}" for k in range(4, 14)]
    floats = [f"f{k}" for k in range(14, 20)]
    body = [f"{v} = int_mul(i0, {j + 2})" for j, v in enumerate(ints)]
    body += [f"{v} = float_mul(f1, {j + 0.5})" for j, v in enumerate(floats)]
    body.append("i20 = call_loop(inner, i2, i3, f1)")
    body.append("guard_value(i20, 0) [snap 0: k=i0 acc=f1 r=i20 @line 1]")
    body.append(f"f21 = getarrayitem_raw_f({fa}, 3)")
    acc, k = fold_values(body, 22, "i0", ints, "i", "int_add")
    facc, k = fold_values(body, k, "f21", floats, "f", "float_add")
    body.append(f"finish({acc}, {facc})")
    text = "label(i0, f1, i2, i3)\n" + "\n".join(body)
    try:
        tree = Tree(target, text, ["d"], {"inner": inner})
        try:
            for inputs in [(3, 1.5, 0, 20), (-7, -0.5, 5, 100), (MAX, 2.0, 0, 0)]:
                want = tree.reference(inputs)
                got, frame = tree.native(inputs)
                assert got == want[0] == EXIT_FINISH
                assert frame[1:3] == want[1]
        finally:
            tree.free()
    finally:
        inner.free()


def test_call_loop_argument_kinds_are_checked(target):
    inner = LoopDescr(target, INNER)
    try:
        t = parse("label(i0, f1)\ni2 = call_loop(inner, f1, i0, f1)\njump(i0, f1)",
                  calls={"inner": inner})
        with pytest.raises(ValueError):
            compile_trace(t)
    finally:
        inner.free()


# -- compile_bridge checks ------------------------------------------------------------------
@pytest.mark.parametrize("arch", ["x86_64", "aarch64"])
def test_compile_bridge_checks_kinds_and_ends(arch):
    loop = parse_trace(BRANCHY)
    image = compile_trace(loop, arch)
    bad_inputs = parse_trace("label(i0, i1, f2, i3)\njump(i0, i1, i0, i3)")
    with pytest.raises(ValueError):
        compile_bridge(bad_inputs, image, 0x10000, 1, 3, arch=arch)
    bad_jump = parse_trace("label(i0, i1, i2, i3)\njump(i0, i1, i2)")
    with pytest.raises(ValueError):
        compile_bridge(bad_jump, image, 0x10000, 1, 3, arch=arch)
    with pytest.raises(IndexError):
        compile_bridge(parse_trace(BRANCHY_B5), image, 0x10000, 7, 3, arch=arch)
    with pytest.raises(ValueError):             # the parent is the other architecture's
        compile_bridge(parse_trace(BRANCHY_B5), image, 0x10000, 2, 3,
                       arch="x86_64" if arch == "aarch64" else "aarch64")
    ok = compile_bridge(parse_trace(BRANCHY_B5), image, 0x10000, 2, 3, arch)
    assert ok.reload_address == 0x10000 + image.reload_offset and ok.arch == arch
    child = compile_bridge(parse_trace(BRANCHY_B5), compile_bridge(
        parse_trace(BRANCHY_B1), image, 0x10000, 1, 3, arch=arch), 0, 0, 4, arch=arch)
    assert child.reload_address == ok.reload_address and child.first_exit == 4


# -- the harness itself ---------------------------------------------------------------------
def _clobberer(arch: str, what: str) -> CodeImage:
    """Code that returns 7 after clobbering one callee-saved register (or sp)."""
    if arch == "x86_64":
        e = X86Encoder()
        e.MOV_ri(R.R13, 5)                               # r13 without saving it
        e.MOV_ri(R.RAX, 7)
        e.RET()
        return CodeImage("x86_64", e.bytes(), code_size=e.pos)
    e = A64Encoder()
    if what == "gpr":
        e.MOV_ri(A.X21, 5)
    elif what == "fpr":
        e.FMOV_dr(A.D12, A.X0)
    elif what == "fp":
        e.MOV_ri(A.FP, 0)
    e.MOV_ri(A.X0, 7)
    e.RET()
    return CodeImage("aarch64", e.bytes(), code_size=e.pos)


@pytest.mark.parametrize("what", ["gpr", "fpr", "fp", "nothing"])
def test_abi_thunk_notices_a_clobbered_callee_saved_register(target, what):
    if target.arch == "x86_64" and what != "gpr":
        pytest.skip("x86_64: the thunk checks the six callee-saved GPRs")
    bad = target.load(_clobberer(target.arch, what))
    good = AbiChecked(target, bad.entry_address)
    try:
        assert good(bad.make_frame()) == (7 if what == "nothing" else ABI_BROKEN)
    finally:
        bad.free()
        good.code.free()


def test_reference_interpreter_long_typecode():
    arr = array.array("l", [1, -2, 3])
    assert interp.raw_load("l", _addr(arr), 1) == -2
    big = array.array("Q", [2 ** 64 - 1])
    assert interp.raw_load("Q", _addr(big), 0) == -1
    f = array.array("f", [0.0])
    interp.raw_store("f", _addr(f), 0, 1e300)
    assert f[0] == float("inf")


# -- random loop trees ----------------------------------------------------------------------
import os  # noqa: E402
import random  # noqa: E402
import sys  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_backend import CALLS, FLOATS, INTS, RandomTrace  # noqa: E402


class RandomPart(RandomTrace):
    """A random loop or bridge whose first input is a fuel counter: every snapshot
    reports it first (so it is input 0 of any bridge), and every path back to the loop
    decrements it and guards that it is still positive, so every tree terminates."""

    def __init__(self, rng, kinds):
        super().__init__(rng)
        self.names = [f"{c}{k}" for k, c in enumerate(kinds)]
        self.ints = [n for n in self.names if n[0] == "i"]
        self.floats = [n for n in self.names if n[0] == "f"]
        self.k = len(kinds)
        self.fuel = self.names[0]
        if not self.floats:                  # op() needs a float operand to choose from
            self.floats = ["1.25"]

    def snapshot(self):
        rest = [v for v in self.ints + self.floats if v[0] in "if" and v != self.fuel]
        vals = [self.fuel] + self.rng.sample(rest, min(len(rest), 5))
        g = self.guards
        self.guards += 1
        return f"[snap {g}: " + " ".join(f"s{j}={v}" for j, v in enumerate(vals)) + " @line 1]"

    def build_part(self, n_ops, loop_kinds, finish=False):
        rng = self.rng
        for _ in range(n_ops):
            self.op()
        c = self.put("i", f"int_sub({self.fuel}, 1)")
        g = self.put("i", f"int_gt({c}, 0)")
        self.guard(f"guard_true({g})")
        args = [c]
        for kind in loop_kinds[1:]:
            pool = [v for v in (self.ints if kind == "i" else self.floats) if v[0] in "if"]
            if not pool or rng.random() < 0.1:
                args.append(rng.choice(["0", "3", "-1"]) if kind == "i" else "0.5")
            else:
                args.append(rng.choice(pool))
        end = f"finish({', '.join(args)})" if finish else f"jump({', '.join(args)})"
        return "\n".join([f"label({', '.join(self.names)})"] + self.lines + [end])


def _random_inputs(rng, kinds):
    out = [rng.randint(1, 40)]
    for c in kinds[1:]:
        if c == "i":
            out.append(rng.choice(INTS) if rng.random() < 0.4 else rng.randint(-1000, 1000))
        else:
            out.append(rng.choice(FLOATS) if rng.random() < 0.3 else rng.uniform(-100, 100))
    return out


@pytest.mark.parametrize("seed", range(6))
def test_random_loop_trees(seed, target):
    rng = random.Random(5000 + seed)
    for case in range(12):
        n = rng.randint(1, 8) if rng.random() < 0.8 else rng.randint(10, 24)
        kinds = "i" + "".join(rng.choice("if") for _ in range(n))
        loop = RandomPart(rng, kinds).build_part(rng.randint(2, 25), kinds)
        tree = Tree(target, loop, calls=CALLS)
        try:
            todo = [("loop", g) for g in range(len(tree.loop.guards()))]
            rng.shuffle(todo)
            for _ in range(rng.randint(1, 5)):
                if not todo:
                    break
                parent, g = todo.pop()
                ptrace = tree.parts[parent][0]
                fail = ptrace.guards()[g].snapshot.fail_args()
                bkinds = "".join(resolve(v).kind for v in fail)
                text = RandomPart(rng, bkinds).build_part(
                    rng.randint(0, 20), kinds, finish=rng.random() < 0.15)
                name = tree.attach(parent, g, text, calls=CALLS)
                new = [(name, i) for i in range(len(tree.parts[name][0].guards()))]
                todo += new
                rng.shuffle(todo)
            for _ in range(4):
                tree.check(_random_inputs(rng, kinds))
        finally:
            tree.free()


# -- stack alignment at calls ----------------------------------------------------------------
class AlignmentProbe:
    """A call_loop target that returns 0 iff the stack was 16-byte aligned at the call
    (x86_64: rsp is 8 mod 16 at a function's first instruction; aarch64: sp is 0 mod 16)
    and copies frame[0] to frame[1]."""

    def __init__(self, target: Target):
        if target.arch == "x86_64":
            e = X86Encoder()
            e.MOV_rm(R.RAX, R.RDI, 0)
            e.MOV_mr(R.RDI, 8, R.RAX)
            e.MOV_rr(R.RAX, R.RSP)
            e.AND_ri(R.RAX, 15)
            e.XOR_ri(R.RAX, 8)
            e.RET()
        else:
            e = A64Encoder()
            e.LDR_rm(A.X1, A.X0, 0)
            e.STR_rm(A.X1, A.X0, 8)
            e.MOV_rsp(A.X1)
            e.AND_rri(A.X0, A.X1, 15)
            e.RET()
        self.code = target.load(CodeImage(target.arch, e.bytes(), code_size=e.pos))
        self.frame = (ctypes.c_int64 * 4)()
        self.frame_address = ctypes.addressof(self.frame)
        self.entry_address = self.code.entry_address
        self.input_kinds = "if"

    def call_reference(self, args):
        self.frame[1] = 0
        return 0

    def __str__(self):
        return "probe"


def test_calls_from_loops_and_bridges_are_aligned(target):
    probe = AlignmentProbe(target)
    loop = """
label(i0, f1)
i2 = call_loop(probe, i0, f1)
guard_value(i2, 0) [snap 0: n=i0 f=f1 r=i2 @line 1]
i3 = int_and(i0, 1)
guard_value(i3, 0) [snap 1: n=i0 f=f1 @line 2]
i4 = int_sub(i0, 1)
i5 = int_gt(i4, 0)
guard_true(i5) [snap 2: n=i4 f=f1 @line 3]
jump(i4, f1)
"""
    try:
        for n_live in (0, 1, 2, 3, 5, 8, 13):
            # The bridge keeps n_live values across its calls (callee-saved registers
            # and spill slots of any parity), then calls the probe and sin.
            lines = ["label(i0, f1)"]
            live = [f"i{k}" for k in range(2, 2 + n_live)]
            lines += [f"{v} = int_mul(i0, {j + 3})" for j, v in enumerate(live)]
            lines.append("i90 = call_loop(probe, i0, f1)")
            lines.append("guard_value(i90, 0) [snap 0: n=i0 r=i90 @line 4]")
            lines.append("f91 = call_f(sin, f1)")
            acc, k = fold_values(lines, 100, "i0", live, "i", "int_add")
            lines.append(f"i{k} = int_sub(i0, 1)")
            lines.append(f"i{k + 1} = int_gt(i{k}, 0)")
            lines.append(f"guard_true(i{k + 1}) [snap 1: n=i{k} s={acc} f=f91 @line 5]")
            lines.append(f"jump(i{k}, f91)")
            tree = Tree(target, loop, calls={"probe": probe, **CALLS})
            try:
                name = tree.attach("loop", 1, "\n".join(lines), calls={"probe": probe, **CALLS})
                image = tree.parts[name][1]
                if target.arch == "x86_64":
                    assert (8 * len(image.saved_regs) + image.frame_size) % 16 == 0
                for n in (1, 2, 7, 30):
                    exit_no, slots = tree.check((n, 0.5))
                    assert exit_no in (2, 4), (n_live, n, exit_no, slots)
                # the interrupt word reaches the callee
                r, frame = tree.native((9, 0.5), frame0=5)
                assert probe.frame[1] == 5
            finally:
                tree.free()
    finally:
        probe.code.free()
