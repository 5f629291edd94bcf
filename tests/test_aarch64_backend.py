"""What only the AArch64 backend has: its prologue and stack layout, guard branches with
a +-1 MiB reach and the ladder of patches beyond it (b imm26 from the exit stub, then an
absolute ldr/br), literal pools, no fused multiply-add, NaN results fixed up to the
host's rules.  Everything else runs for every target in test_backend / test_bridges."""
from __future__ import annotations

import os
import struct
import sys

import pytest

from jitnb.jit.backend import compile_trace
from jitnb.jit.backend.aarch64 import assembler as A
from jitnb.jit.backend.common import HOST_NAN_RULES
from jitnb.jit.backend.image import STUB_MINS, a64_abs_jump
from jitnb.jit.ir.trace import parse_trace

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_bridges import BRANCHY, BRANCHY_B1, BRANCHY_B5, Tree, branchy_python, slot  # noqa: E402
from backend_targets import SUM_LOOP, Target, skip_unavailable  # noqa: E402

MIB = 1 << 20
AARCH64 = Target("aarch64", True)


@pytest.fixture
def a64() -> Target:
    skip_unavailable(AARCH64)
    return AARCH64


def words(code: bytes, at: int, n: int = 1) -> list[int]:
    return list(struct.unpack_from(f"<{n}I", code, at))


# -- layout --------------------------------------------------------------------------------
def test_prologue_reload_entry_and_stubs():
    t = parse_trace(SUM_LOOP)
    img = compile_trace(t, "aarch64")
    insns = img.instructions()
    # stp x29, x30, [sp, #-16]!; mov x29, sp; sub sp; str x28; mov x28, x0
    assert [m for _, _, m, _ in insns[:5]] == ["stp", "mov", "sub", "str", "mov"]
    assert insns[0][3] == "x29, x30, [sp, #-0x10]!" and insns[4][3] == "x28, x0"
    assert img.saved_regs == [A.FRAME] and img.frame_size == 0
    assert 0 < img.reload_offset <= img.loop_offset and img.loop_offset % 16 == 0
    reload = [i for i in insns if img.reload_offset <= i[0] < img.loop_offset]
    assert [m for _, _, m, _ in reload][:3] == ["ldr"] * 3
    assert all("[x28" in ops for _, _, m, ops in reload if m == "ldr")
    for at, stub in img.guard_offsets:          # a b.cond into a stub with room to patch
        assert words(img.code, at)[0] & 0xFF000010 == 0x54000000
        assert img.guard_target(0) == stub
    stubs = sorted(s for _, s in img.guard_offsets) + [img.code_size]
    assert all(b - a >= STUB_MINS["aarch64"] for a, b in zip(stubs, stubs[1:]))
    text = img.listing(t)
    for line in ("reload entry", "exit stub for guard 0", "interrupt exit", "cbz x16"):
        assert line in text, line


def test_callee_saved_registers_and_stack_alignment():
    # Enough values live across a call that callee-saved x19.. and d8.. are used.
    n = 14
    lines = ["label(i0, f1)"]
    lines += [f"i{k} = int_mul(i0, {k})" for k in range(2, 2 + n)]
    lines += [f"f{k} = float_mul(f1, {k}.5)" for k in range(2 + n, 2 + 2 * n)]
    lines.append("f99 = call_f(sin, f1)")
    snap = " ".join(f"v{k}=i{k}" for k in range(2, 2 + n))
    snap += " " + " ".join(f"w{k}=f{k}" for k in range(2 + n, 2 + 2 * n))
    lines.append(f"guard_false(1) [snap 0: {snap} r=f99 @line 1]")
    lines.append("jump(i0, f1)")
    from test_backend import CALLS
    img = compile_trace(parse_trace("\n".join(lines), CALLS), "aarch64")
    gprs = [r for r in img.saved_regs if r < A.FLOAT_SAVE]
    fprs = [r - A.FLOAT_SAVE for r in img.saved_regs if r >= A.FLOAT_SAVE]
    assert A.FRAME in gprs and any(19 <= r < 28 for r in gprs) and fprs
    assert all(8 <= d < 16 for d in fprs)
    assert all(ins[2] not in ("fmadd", "fmsub", "fnmadd", "fnmsub")
               for ins in img.instructions())
    # every sp adjustment keeps 16-byte alignment
    for _, _, m, ops in img.instructions():
        if m in ("sub", "add") and ops.startswith("sp, sp"):
            assert int(ops.split("#")[1], 16) % 16 == 0


def test_float_arithmetic_never_fuses_multiply_add():
    t = parse_trace("""
label(f0, f1, f2)
f3 = float_mul(f0, f1)
f4 = float_add(f3, f2)
f5 = float_mul(f4, f4)
f6 = float_sub(f2, f5)
guard_false(1) [snap 0: r=f6 @line 1]
jump(f4, f1, f6)
""")
    mnems = [ins[2] for ins in compile_trace(t, "aarch64").instructions()]
    assert "fmul" in mnems and "fadd" in mnems
    assert not {"fmadd", "fmsub", "fnmadd", "fnmsub"} & set(mnems)


def test_nan_results_follow_the_hosts_rules():
    """On a host whose CPython gives x86 NaNs, a run of float arithmetic checks its
    results for a NaN with integer instructions and one branch (the out-of-line path
    replays the run with a fixup per op); elsewhere the native rules already agree."""
    t = parse_trace("label(f0, f1)\nf2 = float_add(f0, f1)\nf3 = float_mul(f2, f0)\n"
                    "f4 = float_sub(f3, 1.5)\nguard_false(1) [snap 0: r=f4 @line 1]\njump(f0, f1)")
    img = compile_trace(t, "aarch64")
    stubs = min(stub for _, stub in img.guard_offsets)
    main = [ins[2] for ins in img.instructions() if img.loop_offset <= ins[0] < stubs]
    if HOST_NAN_RULES == "x86":
        assert main.count("b.hi") == 1 and "fcmp" not in main and "b.vs" not in main
        assert [ins[1] for ins in img.op_instructions(1)] == ["fadd", "fmov", "lsl"]
        assert [ins[1] for ins in img.op_instructions(2)] == ["fmul", "fmov", "lsl", "cmp",
                                                              "csel"]
    else:
        assert [ins[1] for ins in img.op_instructions(1)] == ["fadd"]
        assert "b.hi" not in main


def _main_path(img):
    stubs = min(stub for _, stub in img.guard_offsets)
    return [ins for ins in img.instructions() if img.loop_offset <= ins[0] < stubs]


@pytest.mark.skipif(HOST_NAN_RULES != "x86", reason="NaN checks only for x86 NaN rules")
def test_a_nan_run_saves_an_input_before_overwriting_it():
    """f0 dies at f2, so f4 may take its register: it goes to a stack slot first, and
    the out-of-line replay reloads it (one run, one branch)."""
    t = parse_trace("label(f0, f1)\nf2 = float_add(f0, f1)\nf3 = float_mul(f2, f1)\n"
                    "f4 = float_sub(f3, f2)\nguard_false(1) [snap 0: r=f4 @line 1]\n"
                    "jump(f4, f1)")
    img = compile_trace(t, "aarch64")
    main = _main_path(img)
    assert [m for _, _, m, _ in main].count("b.hi") == 1
    (fadd,) = [ops for _, _, m, ops in main if m == "fadd"]
    (fsub,) = [ops for _, _, m, ops in main if m == "fsub"]
    dst = fsub.split(",")[0]
    assert dst in fadd.split(", ")[1:]              # f4 took the register of f0
    stores = [ops for _, _, m, ops in main
              if m == "str" and ops.startswith(dst + ",") and "[sp" in ops]
    assert len(stores) == 1
    after = [ops for off, _, m, ops in img.instructions() if off >= img.code_size - 400
             and m == "ldr" and ops == stores[0]]
    assert after, "the replay reloads the saved input"


@pytest.mark.skipif(HOST_NAN_RULES != "x86", reason="NaN checks only for x86 NaN rules")
def test_a_nan_run_ends_when_its_save_slots_are_used_up():
    n = A.NAN_SAVES + 3
    lines = [f"label({', '.join(f'f{k}' for k in range(n))})", "f100 = float_add(f0, f1)"]
    for k in range(1, n):
        lines.append(f"f{100 + k} = float_mul(f{100 + k - 1}, f{k})")
    lines.append(f"guard_false(1) [snap 0: r=f{100 + n - 1} @line 1]")
    lines.append(f"jump({', '.join(f'f{100 + k}' for k in range(n))})")
    img = compile_trace(parse_trace("\n".join(lines)), "aarch64")
    main = _main_path(img)
    saves = [ops for _, _, m, ops in main if m == "str" and "[sp" in ops]
    assert 0 < len(saves) <= 2 * A.NAN_SAVES
    assert [m for _, _, m, _ in main].count("b.hi") >= 2


def test_division_by_a_power_of_two_is_a_product():
    """x / 2.0 is x * 0.5 bit for bit (fdiv is the slower soft-float helper); x / 3.0
    stays a division, and so does x / 5e-324 (its reciprocal is not a double)."""
    for c, want in (("2.0", "fmul"), ("-0.25", "fmul"), ("3.0", "fdiv"), ("5e-324", "fdiv")):
        t = parse_trace(f"label(f0)\nf1 = float_truediv(f0, {c})\n"
                        f"guard_false(1) [snap 0: r=f1 @line 1]\njump(f0)")
        mnems = [ins[1] for ins in compile_trace(t, "aarch64").op_instructions(1)]
        assert want in mnems and ({"fmul", "fdiv"} - {want}).isdisjoint(mnems), (c, mnems)


def test_ldr_d_literal_encoding():
    """The one instruction the assembler encodes itself (ldr d<t>, literal)."""
    from jitnb.emu.disasm import disassemble
    word = A._LDR_D_LITERAL | 7 | (3 << 5)
    (ins,) = disassemble(struct.pack("<I", word), "aarch64", base=0x1000)
    assert ins[2] == "ldr" and ins[3] == "d7, #0x100c"


# -- guard patching: image level --------------------------------------------------------------
def test_patch_ladder_on_the_image():
    base = 0x4000_0000
    for target_at, kind in [(base + 4096, "direct"), (base - MIB + 512, "direct"),
                            (base + 2 * MIB, "b"), (base - 100 * MIB, "b"),
                            (base + 200 * MIB, "abs"), (base + (1 << 33), "abs")]:
        img = compile_trace(parse_trace(BRANCHY), "aarch64")
        at, stub = img.guard_offsets[1]
        before = img.code
        offset, data = img.patch_guard(1, target_at, base=base)
        assert img.guard_target(1, base) == target_at, kind
        assert before[:offset] + data + before[offset + len(data):] == img.code
        branch = words(img.code, at)[0]
        if kind == "direct":
            assert (offset, len(data)) == (at, 4)
            assert img.code[stub:stub + 4] == before[stub:stub + 4]
        else:
            assert img.guard_target(1, base) != base + stub
            head = words(img.code, stub)[0]
            if kind == "b":
                assert head & 0xFC000000 == 0x14000000
            else:
                assert img.code[stub:stub + 20].startswith(a64_abs_jump(stub, target_at)[:8])
        assert branch & 0xFF000010 == 0x54000000          # still the guard's b.cond
    # forcing the absolute form, then a direct patch again
    img = compile_trace(parse_trace(BRANCHY), "aarch64")
    img.patch_guard(1, base + 4096, base=base, absolute=True)
    assert words(img.code, img.guard_offsets[1][1], 2)[1] == 0xD61F0200      # br x16
    img.patch_guard(1, base + 8192, base=base)
    assert img.guard_target(1, base) == base + 8192


def test_unfused_guards_patch_their_cbz():
    t = parse_trace("""
label(i0, i1)
i2 = int_lt(i0, i1)
i3 = int_add(i2, i0)
guard_true(i2) [snap 0: a=i0 b=i3 @line 1]
jump(i0, i1)
""")
    img = compile_trace(t, "aarch64")
    at, stub = img.guard_offsets[0]
    assert words(img.code, at)[0] & 0x7F000000 == 0x34000000        # cbz
    img.patch_guard(0, 0x10000 + 512, base=0x10000)
    assert img.guard_target(0, 0x10000) == 0x10000 + 512
    img.patch_guard(0, 0x10000 + 300 * MIB, base=0x10000)
    assert img.guard_target(0, 0x10000) == 0x10000 + 300 * MIB


# -- guard patching: running, with bridges placed near and far ----------------------------------
@pytest.mark.parametrize("distance", [0, 64 * MIB, 1 << 30])
def test_bridges_reached_at_every_distance(a64, distance):
    """Bridges mapped right after the loop, 64 MiB away (b from the exit stub) and 1 GiB
    away (ldr/br through the exit stub) all run: the loop tree's results are the
    reference interpreter's."""
    tree = Tree(a64, BRANCHY)
    try:
        loop_addr = tree.code.address
        near = loop_addr + distance if distance else None
        b1 = tree.attach("loop", 1, BRANCHY_B1, near=near)
        tree.attach("loop", 2, BRANCHY_B5, near=near)
        tree.attach(b1, 0, BRANCHY_B5, near=near)
        code = tree.parts[b1][2]
        gap = code.address - (loop_addr + tree.image.guard_offsets[1][0])
        stub = tree.image.guard_offsets[1][1]
        head = words(tree.image.code, stub)[0]
        if -MIB <= gap < MIB:
            kind = "direct"
        elif -128 * MIB <= gap < 128 * MIB:
            kind = "b"
        else:
            kind = "abs"
        if distance and kind == "direct":
            pytest.skip("the kernel did not place the bridge far away")
        assert tree.image.guard_target(1, loop_addr) == code.address
        if kind == "b":
            assert head & 0xFC000000 == 0x14000000
        elif kind == "abs":
            assert words(tree.image.code, stub + 4)[0] == 0xD61F0200
        for inputs in [(0, 100, 0, 0), (1, 300, 5, -7), (-30, 31, 2, 3)]:
            exit_no, slots = tree.check(inputs, check_abi=False)
            assert exit_no == 0
            assert slots == [slot(v, "i") for v in branchy_python(*inputs)]
    finally:
        tree.free()


def test_stack_pointer_is_restored_by_every_exit(a64):
    """Exits from the loop, from a bridge and from a bridge on a bridge, and the
    interrupt exits, return with sp, x19-x28 and d8-d15 as they were (the ABI thunk)."""
    tree = Tree(a64, BRANCHY)
    try:
        b1 = tree.attach("loop", 1, BRANCHY_B1)
        assert tree.check((1, 100, 0, 0))[0] == 2               # the loop's own exit
        assert tree.check((14, 100, 0, 0))[0] == 3              # the bridge's exit
        tree.attach(b1, 0, BRANCHY_B5)
        tree.attach("loop", 2, BRANCHY_B5)
        assert tree.check((0, 50, 0, 0))[0] == 0
        r, frame = tree.native((0, 1000, 0, 0), frame0=1)       # interrupted at once
        assert r == -2 and frame[1] == 1
    finally:
        tree.free()


def test_constants_from_move_wide_or_the_literal_pool(a64):
    """Up to three move-wide instructions; a constant needing four is loaded from the
    literal pool (pool entries shared)."""
    consts = [5, -5, 0x12340000, 0x1234_5678_9ABC, 0x1234_5678_9ABC_DEF1, 0x5555555555555555,
              -0x1234_5678_9ABC_DEF1, 0x0F0F_0000_FFFF_1234]
    lines = ["label(i0)"]
    for k, c in enumerate(consts):
        lines.append(f"i{k + 1} = int_xor(i0, {c})")
    lines.append(f"i{len(consts) + 1} = int_add(i0, {consts[3]})")
    snap = " ".join(f"v{k}=i{k + 1}" for k in range(len(consts) + 1))
    lines.append(f"guard_false(1) [snap 0: {snap} @line 1]")
    lines.append("jump(i0)")
    img = compile_trace(parse_trace("\n".join(lines)), "aarch64")
    loads = [i for i in img.instructions() if i[2] == "ldr" and i[3].startswith("x")
             and i[3].split(", ")[1].startswith("#")]
    assert len(loads) == 2                    # the two four-halfword constants
    code = a64.load(img)
    try:
        frame = code.make_frame([0x0FF0_1234_8765_4321])
        assert code.run(frame) == 0
        x = 0x0FF0_1234_8765_4321
        want = [(x ^ c) & (1 << 64) - 1 for c in consts] + [x + consts[3]]
        assert [v & (1 << 64) - 1 for v in frame[1:len(want) + 1]] == want
    finally:
        code.free()
