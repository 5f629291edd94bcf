"""Backends and the register allocator: every trace runs on the reference IR
interpreter and as machine code on every target (x86_64 native, x86_64 and aarch64 in
Unicorn: ``backend_targets``), and must leave through the same exit with
bit-identical values."""
from __future__ import annotations

import ctypes
import ctypes.util
import math
import os
import platform
import random
import struct
import sys

import pytest

from jitnb.jit.backend import compile_trace
from jitnb.jit.backend.image import CodeImage
from jitnb.jit.backend.regalloc import Imm, Reg, Stack, allocate, parallel_moves
from jitnb.jit.backend.aarch64 import assembler as A
from jitnb.jit.backend.x86_64 import assembler as X
from jitnb.jit.ir import interp
from jitnb.jit.ir import ops as O
from jitnb.jit.ir.trace import Const, parse_trace, print_trace, resolve, verify

from jitnb.emu.native import from_slot, to_slot

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from backend_targets import SUM_LOOP, Target, define_values, fold_values, target  # noqa: E402,F401

x86_host = pytest.mark.skipif(platform.machine() not in ("x86_64", "AMD64"),
                              reason="runs x86_64 code natively")
ASSEMBLERS = {"x86_64": X, "aarch64": A}

MIN, MAX = -(1 << 63), (1 << 63) - 1
INTS = [0, 1, -1, 2, -2, 3, -3, 7, -7, 63, 64, 65, 100, -100, MIN, MAX, MIN + 1, MAX - 1,
        1 << 31, -(1 << 31), (1 << 32) + 5, 12345678901, -98765432109, 1 << 62]
NAN = math.nan
NEG_NAN = struct.unpack("<d", struct.pack("<Q", 0xFFF8000000000000))[0]
PAYLOAD_NAN = struct.unpack("<d", struct.pack("<Q", 0x7FF0000000000123))[0]   # signalling
FLOATS = [0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 3.0, 0.1, 1e308, -1e308, 5e-324, -5e-324,
          2.2250738585072014e-308, math.inf, -math.inf, NAN, NEG_NAN, PAYLOAD_NAN,
          9.3e18, -9.3e18, 9223372036854775807.0, -9223372036854775808.0, 2.0 ** 53 + 2,
          123456.789, -0.75]


# CPython 3.11 picks the NaN of a two-NaN float_add/float_mul differently before and
# after BINARY_OP specialisation; the backend follows warm CPython, so warm the oracle.
for _num in (O.FLOAT_ADD, O.FLOAT_SUB, O.FLOAT_MUL, O.FLOAT_TRUEDIV):
    for _ in range(1000):
        interp.PURE[_num](1.5, 2.5)


def bits(x: float) -> bytes:
    return struct.pack("<d", x)


def same(kind: str, a, b) -> bool:
    return bits(a) == bits(b) if kind == "f" else a == b


# -- call descriptors ----------------------------------------------------------------------
_libm = ctypes.CDLL(ctypes.util.find_library("m") or "libm.so.6")


class CFunc:
    """A C function of doubles: ``c_call`` (and ``func``) for the reference interpreter,
    the same C function through ctypes; ``address`` for the machine code."""

    def __init__(self, name: str, nargs: int):
        self.name = name
        fn = getattr(_libm, name)
        fn.restype = ctypes.c_double
        fn.argtypes = [ctypes.c_double] * nargs
        self.func = self.c_call = fn
        self.address = ctypes.cast(fn, ctypes.c_void_p).value

    def __str__(self) -> str:
        return self.name


CALLS = {"sin": CFunc("sin", 1), "cos": CFunc("cos", 1), "pow": CFunc("pow", 2),
         "atan2": CFunc("atan2", 2), "exp": CFunc("exp", 1), "hypot": CFunc("hypot", 2)}


# -- running both ways ---------------------------------------------------------------------
class Compiled:
    def __init__(self, target: Target, text_or_trace, calls=CALLS):
        self.target = target
        self.trace = (parse_trace(text_or_trace, calls) if isinstance(text_or_trace, str)
                      else text_or_trace)
        verify(self.trace)
        self.image = target.compile(self.trace)
        self.code = target.load(self.image)

    def native(self, inputs):
        kinds = [v.kind for v in self.trace.inputs]
        slots = [to_slot(x, k) for x, k in zip(inputs, kinds)]
        frame = self.code.make_frame(slots, "i" * len(slots))
        r = self.code.run(frame)
        if r == -1:
            return -1, {}
        assert r >= 0, f"unexpected exit {r}"
        guard = self.trace.guards()[r]
        fail = guard.snapshot.fail_args()
        values = {}
        for name, v in guard.snapshot.values:
            rv = resolve(v)
            if isinstance(rv, Const):
                values[name] = rv.value
            else:
                j = next(k for k, f in enumerate(fail) if f is v)
                values[name] = from_slot(frame[1 + j], rv.kind)
        return r, values

    def reference(self, inputs):
        ex = interp.run(self.trace, list(inputs))
        return ex.index, ex.values

    def check(self, inputs):
        want = self.reference(inputs)
        got = self.native(inputs)
        assert got[0] == want[0], f"exit {got[0]} != reference {want[0]} for {inputs}"
        guard = self.trace.guards()[want[0]] if want[0] >= 0 else None
        kinds = {n: resolve(v).kind for n, v in guard.snapshot.values} if guard else {}
        for name, value in want[1].items():
            assert self.target.same(kinds[name], got[1][name], value), \
                f"{name}: {got[1][name]!r} != reference {value!r} for inputs {inputs}\n" \
                f"{print_trace(self.trace)}"
        return want

    def free(self):
        self.code.free()


def check_all(target, text, inputs_list, calls=CALLS):
    c = Compiled(target, text, calls)
    try:
        return [c.check(inp) for inp in inputs_list]
    finally:
        c.free()


# -- the op table is covered --------------------------------------------------------------
@pytest.mark.parametrize("arch", sorted(ASSEMBLERS))
def test_every_ir_op_has_an_emitter(arch):
    asm = ASSEMBLERS[arch].Assembler
    missing = [d.name for d in O.OPS if not callable(getattr(asm, f"emit_{d.name}", None))]
    assert missing == []


def test_compile_trace_dispatch():
    t = parse_trace("label(i0)\ni1 = int_add(i0, 1)\njump(i1)")
    assert isinstance(compile_trace(t), CodeImage)
    assert compile_trace(t, "aarch64").arch == "aarch64"
    assert compile_trace(t, "host").arch == platform.machine().replace("arm64", "aarch64")
    with pytest.raises(ValueError):
        compile_trace(t, "mips")


# -- parallel moves -----------------------------------------------------------------------
def simulate(seq, state):
    state = dict(state)
    for src, dst in seq:
        state[dst] = src.value if isinstance(src, Imm) else state[src]
    return state


def check_parallel(moves, scratch=Reg(99, "i")):
    locs = {s for s, _ in moves if not isinstance(s, Imm)} | {d for _, d in moves}
    state = {loc: f"v{k}" for k, loc in enumerate(sorted(locs, key=repr))}
    state[scratch] = "junk"
    seq = parallel_moves(moves, scratch)
    after = simulate(seq, state)
    for src, dst in moves:
        assert after[dst] == (src.value if isinstance(src, Imm) else state[src])
    written = {d for _, d in seq}
    assert written <= {d for _, d in moves} | {scratch}
    return seq


def r(n):
    return Reg(n, "i")


def test_parallel_moves_simple_and_chain():
    assert check_parallel([(r(0), r(1))]) == [(r(0), r(1))]
    assert check_parallel([(r(1), r(1))]) == []
    seq = check_parallel([(r(0), r(1)), (r(1), r(2)), (r(2), r(3))])
    assert seq == [(r(2), r(3)), (r(1), r(2)), (r(0), r(1))]


def test_parallel_moves_swap_uses_scratch():
    seq = check_parallel([(r(0), r(1)), (r(1), r(0))])
    assert len(seq) == 3 and any(Reg(99, "i") in m for m in seq)


def test_parallel_moves_cycles_fanout_constants_and_stack():
    check_parallel([(r(0), r(1)), (r(1), r(2)), (r(2), r(0))])
    check_parallel([(r(0), r(1)), (r(1), r(0)), (r(2), r(3)), (r(3), r(2)), (r(0), r(4))])
    check_parallel([(Stack(0), Stack(1)), (Stack(1), r(0)), (r(0), Stack(0))])
    check_parallel([(Imm(5, "i"), r(3)), (r(0), r(1)), (r(1), r(2)), (r(2), r(0)), (r(3), r(4))])
    check_parallel([(r(0), r(1)), (r(0), r(2)), (r(0), r(0))])


def test_parallel_moves_rejects_bad_input():
    with pytest.raises(ValueError):
        parallel_moves([(r(0), r(1)), (r(2), r(1))], r(9))
    with pytest.raises(ValueError):
        parallel_moves([(r(0), r(9))], r(9))


def test_parallel_moves_random_permutations():
    rng = random.Random(7)
    for _ in range(400):
        n = rng.randint(1, 9)
        locs = [r(k) for k in range(n)] + [Stack(k) for k in range(rng.randint(0, 4))]
        dsts = rng.sample(locs, rng.randint(1, len(locs)))
        moves = []
        for d in dsts:
            if rng.random() < 0.1:
                moves.append((Imm(rng.randint(0, 9), "i"), d))
            else:
                moves.append((rng.choice(locs), d))
        check_parallel(moves)


# -- register allocator --------------------------------------------------------------------
@pytest.mark.parametrize("arch", sorted(ASSEMBLERS))
def test_allocator_small_loop_keeps_everything_in_registers(arch):
    M = ASSEMBLERS[arch].Assembler
    t = parse_trace(SUM_LOOP)
    a = allocate(t, M.GPRS, M.FPRS, clobbers=M.clobbers, can_fuse=M.can_fuse, reuse=M.reuse)
    assert a.stack_slots == 0
    assert all(isinstance(loc, Reg) for loc in a.label_locs)
    assert all(not op.moves for op in a.ops)
    assert a.ops[3].fused and a.ops[3].result is None
    # Results computed in place where the loop wants them: no moves at the jump.
    assert a.ops[-1].args == a.label_locs


def test_allocator_is_architecture_independent():
    # Three integer registers only, numbered arbitrarily: spills must appear.
    text = "label(i0, i1)\n" + "".join(f"i{k + 2} = int_add(i{k + 1}, i0)\n" for k in range(6))
    text += "guard_false(1) [snap 0: " + " ".join(f"v{k}=i{k}" for k in range(8)) + " @line 0]\n"
    text += "jump(i7, i1)\n"
    t = parse_trace(text)
    a = allocate(t, [30, 31, 32], [])
    assert a.stack_slots > 0
    regs = {loc for op in a.ops for loc in op.args + (op.fail_locs or []) if isinstance(loc, Reg)}
    assert regs <= {Reg(30, "i"), Reg(31, "i"), Reg(32, "i")}


def test_allocator_skips_dead_pure_ops_and_forwarded_ops():
    t = parse_trace("""
label(i0)
i1 = int_mul(i0, 3)
i2 = int_add(i0, 1)
i3 = int_add(i2, 1)
guard_false(1) [snap 0: x=i2 @line 1]
jump(i3)
""")
    t.ops[3].forward = t.ops[2]     # i3 == i2: the jump now passes i2
    a = allocate(t, X.GPRS, X.FPRS)
    assert a.ops[1].skip and a.ops[3].skip and not a.ops[2].skip


# -- arithmetic with edge values -----------------------------------------------------------
def _binop_trace(name, a="i0", b="i1"):
    return (f"label(i0, i1)\ni2 = {name}({a}, {b})\n"
            f"guard_false(1) [snap 0: r=i2 a=i0 b=i1 @line 1]\njump(i0, i1)")


def _valid_int(name, a, b):
    if name in ("int_floordiv", "int_mod"):
        return b != 0
    if name == "int_rshift":
        return b >= 0
    return True


INT_BINOPS = ["int_add", "int_sub", "int_mul", "int_and", "int_or", "int_xor", "int_lshift",
              "int_rshift", "int_floordiv", "int_mod", "int_lt", "int_ge", "int_le", "int_gt",
              "int_eq", "int_ne"]


@pytest.mark.parametrize("name", INT_BINOPS)
def test_int_binop_edges(name, target):
    pairs = [(a, b) for a in INTS for b in INTS if _valid_int(name, a, b)]
    check_all(target, _binop_trace(name), pairs)


@pytest.mark.parametrize("name", INT_BINOPS)
def test_int_binop_constant_operands(name, target):
    consts = [0, 1, -1, 2, 3, 8, 63, 64, 100, 1 << 40, -(1 << 35), MIN, MAX, -8]
    xs = [0, 1, -1, 5, -5, 64, MIN, MAX, 1 << 33, -(1 << 33) - 7]
    for c in consts:
        if _valid_int(name, 1, c):
            check_all(target, _binop_trace(name, "i0", str(c)), [(x, 0) for x in xs])
        check_all(target, _binop_trace(name, str(c), "i1"),
                  [(0, x) for x in xs if _valid_int(name, c, x)])


def test_shift_counts_beyond_63(target):
    counts = [0, 1, 31, 32, 62, 63, 64, 65, 127, 128, 1000, MAX]
    values = [1, -1, 5, MIN, MAX, 0x123456789ABCDEF]
    check_all(target, _binop_trace("int_rshift"), [(v, c) for v in values for c in counts])
    check_all(target, _binop_trace("int_lshift"), [(v, c) for v in values for c in counts + [-1, -64, MIN]])


def test_floor_division_and_modulo_signs(target):
    vals = [7, -7, 1, -1, 0, 13, -13, MIN, MAX, 6, -6]
    divs = [2, -2, 3, -3, 1, -1, 7, -7, 4, 1 << 20, -(1 << 20), MAX, MIN]
    for name in ("int_floordiv", "int_mod"):
        check_all(target, _binop_trace(name), [(a, b) for a in vals for b in divs])


def test_division_by_zero_does_not_trap(target):
    """The recorder guards divisors; should a zero slip through, the result is 0
    rather than a SIGFPE that would take the whole process down."""
    for name in ("int_floordiv", "int_mod"):
        for text in (_binop_trace(name), _binop_trace(name, "i0", "0")):
            c = Compiled(target, text)
            for x in (0, 7, -7, MIN, MAX):
                assert c.native((x, 0)) == (0, {"r": 0, "a": x, "b": 0})
            c.free()


@pytest.mark.parametrize("name", ["int_floordiv", "int_mod"])
def test_division_by_constants(name, target):
    rng = random.Random(5)
    divisors = [3, 5, 6, 7, 10, 12, 641, 12345, (1 << 31) - 1, (1 << 31) + 1, (1 << 40) + 7,
                MAX, MAX - 1, 3 << 60, -2, -3, -4, -7, -10, -(1 << 40) - 1, MIN + 1, MIN]
    divisors += [rng.randint(2, 1 << 62) for _ in range(4)] + [-rng.randint(2, 1 << 62)
                                                                for _ in range(4)]
    xs = INTS + [rng.randint(MIN, MAX) for _ in range(60)] + list(range(-25, 26))
    for d in divisors:
        check_all(target, _binop_trace(name, "i0", str(d)), [(x, 0) for x in xs])


@pytest.mark.parametrize("name", ["int_neg", "int_invert", "same_as_i", "cast_int_to_float"])
def test_int_unary_edges(name, target):
    res = "f1" if name == "cast_int_to_float" else "i1"
    text = f"label(i0)\n{res} = {name}(i0)\nguard_false(1) [snap 0: r={res} @line 1]\njump(i0)"
    extra = [(1 << 53) + 1, (1 << 53) + 3, -(1 << 53) - 1, (1 << 62) + 1]
    check_all(target, text, [(x,) for x in INTS + extra])


@pytest.mark.parametrize("name", ["int_add_ovf", "int_sub_ovf", "int_mul_ovf"])
@pytest.mark.parametrize("guard", ["guard_no_overflow", "guard_overflow"])
def test_overflow_guards(name, guard, target):
    text = (f"label(i0, i1)\ni2 = {name}(i0, i1)\n{guard}() [snap 0: a=i0 b=i1 @line 1]\n"
            f"guard_false(1) [snap 1: r=i2 @line 2]\njump(i0, i1)")
    vals = [0, 1, -1, 2, -2, MIN, MAX, MIN + 1, MAX - 1, 1 << 32, -(1 << 32), 3037000500,
            -3037000500, 3037000499]
    exits = {r[0] for r in check_all(target, text, [(a, b) for a in vals for b in vals])}
    assert exits == {0, 1}
    # A constant operand.
    text = (f"label(i0)\ni1 = {name}(i0, 7)\n{guard}() [snap 0: a=i0 @line 1]\n"
            f"guard_false(1) [snap 1: r=i1 @line 2]\njump(i0)")
    check_all(target, text, [(v,) for v in vals])


FLOAT_BINOPS = ["float_add", "float_sub", "float_mul", "float_truediv", "float_lt", "float_ge",
                "float_le", "float_gt", "float_eq", "float_ne"]


def _fbinop_trace(name, a="f0", b="f1"):
    res = "i2" if name.split("_")[-1] in ("lt", "ge", "le", "gt", "eq", "ne") else "f2"
    return (f"label(f0, f1)\n{res} = {name}({a}, {b})\n"
            f"guard_false(1) [snap 0: r={res} a=f0 @line 1]\njump(f0, f1)")


def _valid_float(name, b):
    return not (name == "float_truediv" and b == 0)


@pytest.mark.parametrize("name", FLOAT_BINOPS)
def test_float_binop_edges(name, target):
    pairs = [(a, b) for a in FLOATS for b in FLOATS if _valid_float(name, b)]
    check_all(target, _fbinop_trace(name), pairs)


@pytest.mark.parametrize("name", FLOAT_BINOPS)
def test_float_binop_constant_operands(name, target):
    # powers of two: a division by one may be a product by its reciprocal
    for c in ["1.5", "-0.0", "0.0", "nan", "inf", "-inf", "1e-300", "2.0", "-0.25",
              "8.98846567431158e+307", "2.2250738585072014e-308", "5e-324"]:
        if _valid_float(name, float(c)):
            check_all(target, _fbinop_trace(name, "f0", c), [(x, 0.0) for x in FLOATS])
        check_all(target, _fbinop_trace(name, c, "f1"), [(0.0, x) for x in FLOATS if _valid_float(name, x)])


@pytest.mark.parametrize("name", ["float_neg", "float_abs", "float_sqrt", "same_as_f",
                                  "cast_float_to_int"])
def test_float_unary_edges(name, target):
    res = "i1" if name == "cast_float_to_int" else "f1"
    text = f"label(f0)\n{res} = {name}(f0)\nguard_false(1) [snap 0: r={res} @line 1]\njump(f0)"
    extra = [2.0, 4.0, 1e-320, -1e-320, 0.25, -4.0, 2.0 ** 63, -(2.0 ** 63), 2.0 ** 63 - 1024,
             -2.0 ** 63 - 2048, 1.9999999, -1.9999999]
    check_all(target, text, [(x,) for x in FLOATS + extra])
    for c in ["4.0", "-4.0", "nan", "-0.0", "1e300"]:     # constant argument
        text = f"label(f0)\n{res} = {name}({c})\nguard_false(1) [snap 0: r={res} @line 1]\njump(f0)"
        check_all(target, text, [(0.0,)])


RUN_VALUES = [1.5, -0.0, 3.0, math.inf, -math.inf, NAN, NEG_NAN, PAYLOAD_NAN, 1e308, 5e-324]


@pytest.mark.parametrize("jump", ["f0, f1, f2", "f8, f1, f5"])
def test_runs_of_float_arithmetic_with_nans_and_infinities(jump, target):
    """Chains of float ops (where an emulated AArch64 batches its NaN checks, and
    replays a run to fix a NaN up): every intermediate result bit for bit, NaN operands
    in every position, invalid operations (inf - inf, 0 * inf); with the second jump
    f0 and f2 die inside the chain, so later results may take their registers."""
    text = f"""
label(f0, f1, f2)
f3 = float_mul(f0, f1)
f4 = float_add(f3, f2)
f5 = float_sub(f1, f4)
f6 = float_mul(f5, 2.0)
f7 = float_truediv(f6, 4.0)
f8 = float_add(f7, f1)
f9 = float_sub(f8, f5)
guard_false(1) [snap 0: a=f3 b=f4 c=f5 d=f6 e=f7 g=f8 h=f9 @line 1]
jump({jump})
"""
    check_all(target, text, [(a, b, c) for a in RUN_VALUES for b in RUN_VALUES
                             for c in RUN_VALUES[::2]])


def test_a_long_run_of_float_arithmetic_whose_inputs_die(target):
    """More inputs overwritten inside one chain than an emulated AArch64 saves for its
    replay: the run is split, and every result is still exact."""
    n = 12
    lines = [f"label({', '.join(f'f{k}' for k in range(n))})", "f100 = float_add(f0, f1)"]
    for k in range(1, n):
        lines.append(f"f{100 + k} = float_{'mul' if k % 2 else 'sub'}(f{100 + k - 1}, f{k})")
    snap = " ".join(f"v{k}=f{100 + k}" for k in range(n))
    lines.append(f"guard_false(1) [snap 0: {snap} @line 1]")
    lines.append(f"jump({', '.join(f'f{100 + k}' for k in range(n))})")
    rows = []
    for k in range(len(RUN_VALUES) * 3):
        row = [RUN_VALUES[(k * 7 + j * 3) % len(RUN_VALUES)] for j in range(n)]
        rows.append(tuple(row))
    rows.append(tuple([1.25] * n))
    check_all(target, "\n".join(lines), rows)


def test_sqrt_of_negative_and_nan_is_pythons_nan(target):
    c = Compiled(target, "label(f0)\nf1 = float_sqrt(f0)\nguard_false(1) [snap 0: r=f1 @line 1]\njump(f0)")
    for x in (-1.0, -math.inf, NEG_NAN, PAYLOAD_NAN, -5e-324):
        _, values = c.native((x,))
        assert bits(values["r"]) == bits(math.nan)
    _, values = c.native((-0.0,))
    assert bits(values["r"]) == bits(-0.0)
    c.free()


def test_fused_float_comparisons_with_nan(target):
    for name in ("float_lt", "float_le", "float_gt", "float_ge"):
        for guard in ("guard_true", "guard_false"):
            text = (f"label(f0, f1)\ni2 = {name}(f0, f1)\n{guard}(i2) [snap 0: a=f0 b=f1 @line 1]\n"
                    f"guard_false(1) [snap 1: a=f0 @line 2]\njump(f0, f1)")
            check_all(target, text, [(a, b) for a in (1.0, 2.0, NAN, -0.0, 0.0, math.inf)
                             for b in (1.0, 2.0, NAN, 0.0, -math.inf)])


def test_fused_float_equality_with_zero(target):
    """x == 0.0 / x != 0.0 into a guard (an emulated AArch64 tests the bits with integer
    instructions): both zeros, the smallest subnormals, NaNs with either sign."""
    for name in ("float_eq", "float_ne"):
        for zero, args in (("0.0", "f0, {z}"), ("-0.0", "{z}, f0")):
            for guard in ("guard_true", "guard_false"):
                text = (f"label(f0)\ni2 = {name}({args.format(z=zero)})\n"
                        f"{guard}(i2) [snap 0: a=f0 @line 1]\n"
                        f"guard_false(1) [snap 1: a=f0 @line 2]\njump(f0)")
                check_all(target, text, [(x,) for x in FLOATS + [-5e-324, 2.0 ** -1074]])


def test_unfused_comparisons_feed_guards_and_arithmetic(target):
    text = """
label(i0, i1, f2, f3)
i4 = int_lt(i0, i1)
i5 = float_eq(f2, f3)
i6 = float_ne(f2, f3)
i7 = int_add(i4, i5)
i8 = int_add(i7, i6)
guard_true(i4) [snap 0: a=i4 b=i5 c=i6 @line 1]
guard_true(i5) [snap 1: a=i7 b=i8 @line 2]
guard_false(1) [snap 2: a=i4 b=i5 c=i6 d=i8 @line 3]
jump(i0, i1, f2, f3)
"""
    check_all(target, text, [(a, b, x, y) for a in (1, 2) for b in (1, 2)
                     for x in (1.0, NAN, -0.0) for y in (1.0, NAN, 0.0)])


def test_guard_value_and_constant_guards(target):
    text = """
label(i0, i1)
guard_value(i0, 5) [snap 0: a=i0 @line 1]
guard_value(i1, i0) [snap 1: a=i0 b=i1 @line 2]
guard_value(7, i1) [snap 2: b=i1 @line 3]
guard_true(0) [snap 3: k=42 a=i0 @line 4]
jump(i0, i1)
"""
    results = check_all(target, text, [(5, 5), (4, 5), (5, 6), (5, 7), (MIN, MAX)])
    assert [r[0] for r in results] == [2, 0, 1, 1, 0]
    check_all(target, "label(i0)\nguard_value(3, 3) [snap 0: a=i0 @line 1]\n"
              "guard_value(1 , 2) [snap 1: a=i0 @line 1]\njump(i0)", [(1,)])
    check_all(target, "label(i0)\ni1 = int_lt(1, 2)\nguard_false(i1) [snap 0: a=i0 @line 1]\n"
              "jump(i0)", [(1,)])


def test_comparison_of_two_large_constants(target):
    for name in ("int_lt", "int_ge", "int_le", "int_gt", "int_eq", "int_ne"):
        for a, b in ((1 << 40, 1 << 41), (1 << 41, 1 << 40), (1 << 40, 1 << 40), (MIN, MAX)):
            text = (f"label(i0)\ni1 = {name}({a}, {b})\nguard_true(i1) [snap 0: a=i0 @line 1]\n"
                    f"i2 = {name}({a}, {b})\nguard_false(1) [snap 1: r=i2 @line 2]\njump(i0)")
            check_all(target, text, [(0,)])


def test_dead_inputs_and_a_loop_without_inputs(target):
    text = """
label(i0, i1, f2, i3, f4)
i5 = int_sub(i0, 1)
i6 = int_gt(i5, 0)
guard_true(i6) [snap 0: n=i5 @line 1]
jump(i5, 4, 2.5, i5, f2)
"""
    check_all(target, text, [(n, 7, 1.5, 9, 0.5) for n in (1, 2, 3, 10)])
    c = Compiled(target, "label()\nguard_false(1) [snap 0: k=3 @line 1]\njump()")
    assert c.native(()) == (0, {"k": 3})
    c.free()


def test_finish_returns_minus_one_and_its_arguments(target):
    c = Compiled(target, "label(i0, f1)\ni2 = int_add(i0, 1)\nf3 = float_mul(f1, 2.0)\nfinish(i2, f3, 9)")
    frame = c.code.make_frame([10, to_slot(1.25, "f")], "ii")
    assert c.code.run(frame) == -1
    assert frame[1] == 11 and from_slot(frame[2], "f") == 2.5 and frame[3] == 9
    assert c.reference([10, 1.25])[0] == -1
    c.free()


# -- loops -------------------------------------------------------------------------------------
def test_counting_loop_exits_at_computed_iteration(target):
    text = """
label(i0, i1)
i2 = int_add(i0, 1)
i3 = int_lt(i2, i1)
guard_true(i3) [snap 0: i=i2 n=i1 @line 1]
jump(i2, i1)
"""
    for n in (1, 2, 3, 10, 1000):
        (idx, values), = check_all(target, text, [(0, n)])
        assert idx == 0 and values["i"] == max(n, 1)


def test_sum_loop_and_float_accumulator(target):
    check_all(target, SUM_LOOP, [(0, 500, 0), (-100, 100, 7), (5, 0, 0)])
    text = """
label(i0, i1, f2, f3)
f4 = cast_int_to_float(i0)
f5 = float_mul(f4, f3)
f6 = float_add(f2, f5)
i7 = int_add(i0, 1)
i8 = int_ge(i7, i1)
guard_false(i8) [snap 0: i=i7 s=f6 @line 1]
jump(i7, i1, f6, f3)
"""
    check_all(target, text, [(0, 300, 0.0, 0.1), (0, 50, 1e300, 1e10), (0, 10, NAN, 1.0)])


def test_loop_with_guard_failing_mid_body(target):
    text = """
label(i0, i1, i2)
i3 = int_mod(i0, 7)
i4 = int_eq(i3, 3)
guard_false(i4) [snap 0: i=i0 acc=i1 @line 1]
i5 = int_floordiv(i1, -3)
i6 = int_add(i5, i0)
i7 = int_mul(i6, 3)
i8 = int_add(i0, -2)
i9 = int_lt(i8, i2)
guard_false(i9) [snap 1: i=i8 acc=i7 @line 2]
jump(i8, i7, i2)
"""
    check_all(target, text, [(100, 1, -50), (101, 5, -1000), (12, -7, 0), (-4, 3, -20)])


def test_jump_swaps_and_rotates_inputs(target):
    swap = """
label(i0, i1, i2, f3, f4)
i5 = int_sub(i2, 1)
i6 = int_gt(i5, 0)
guard_true(i6) [snap 0: a=i0 b=i1 x=f3 y=f4 @line 1]
jump(i1, i0, i5, f4, f3)
"""
    for n in (1, 2, 3, 8, 9):
        check_all(target, swap, [(11, 22, n, 1.5, -2.5)])
    rotate = """
label(i0, i1, i2, i3, f4, f5, f6)
i7 = int_sub(i3, 1)
i8 = int_gt(i7, 0)
guard_true(i8) [snap 0: a=i0 b=i1 c=i2 x=f4 y=f5 z=f6 @line 1]
jump(i1, i2, i0, i7, f6, f4, f5)
"""
    for n in range(1, 8):
        check_all(target, rotate, [(1, 2, 3, n, 0.5, 1.5, 2.5)])
    # A jump argument passed twice and a constant passed to the loop.
    dup = """
label(i0, i1, i2)
i3 = int_add(i0, i1)
i4 = int_sub(i2, 1)
i5 = int_gt(i4, 0)
guard_true(i5) [snap 0: a=i0 b=i1 s=i3 @line 1]
jump(i3, i3, i4)
"""
    check_all(target, dup, [(1, 2, 5), (3, 4, 1)])
    const = """
label(i0, i1, f2)
i3 = int_add(i0, i1)
i4 = int_lt(i3, 100)
guard_true(i4) [snap 0: s=i3 f=f2 @line 1]
jump(i3, 7, -1.5)
"""
    check_all(target, const, [(0, 1, 2.0)])


def _spill_trace(n_int=20, n_float=20, loop=True):
    lines = ["label(i0, i1, f2, f3)"]
    ints, k = define_values(lines, 4, n_int, "i", lambda j: f"int_add(i0, {j * 3 + 1})")
    floats, k = define_values(lines, k, n_float, "f", lambda j: f"float_mul(f2, {j + 0.5})")
    acc, k = fold_values(lines, k, ints[0], ints[1:], "i", "int_add")
    facc, k = fold_values(lines, k, floats[0], floats[1:], "f", "float_add")
    snap = " ".join(f"v{j}={v}" for j, v in enumerate(ints + floats))
    lines.append(f"i{k} = int_add(i0, 1)")
    nxt = f"i{k}"
    lines.append(f"i{k + 1} = int_lt({nxt}, i1)")
    lines.append(f"guard_true(i{k + 1}) [snap 0: {snap} s={acc} fs={facc} @line 1]")
    lines.append(f"f{k + 2} = float_add(f3, {facc})")
    lines.append(f"jump({nxt}, i1, f2, f{k + 2})" if loop else f"finish({acc}, {facc})")
    return "\n".join(lines)


def _spill_sizes(target):
    """More live values than the target has registers of either kind."""
    M = ASSEMBLERS[target.arch]
    return len(M.GPRS) + 7, len(M.FPRS) + 5


def test_many_live_values_force_spilling(target):
    text = _spill_trace(*_spill_sizes(target))
    c = Compiled(target, text)
    assert c.image.frame_size > 0                   # spill slots were needed
    c.free()
    check_all(target, text, [(0, 5, 1.5, 0.0), (MAX - 3, MIN, -2.0, 1.0), (10, 11, NAN, 0.0)])


def test_more_inputs_than_registers(target):
    n = max(_spill_sizes(target))
    ins = [f"i{k}" for k in range(n)] + [f"f{k}" for k in range(n, 2 * n)]
    lines = [f"label({', '.join(ins)})"]
    k = 2 * n
    # Rotate all int inputs and all float inputs each iteration, count down in i0.
    lines.append(f"i{k} = int_sub(i0, 1)")
    lines.append(f"i{k + 1} = int_gt(i{k}, 0)")
    snap = " ".join(f"v{j}={v}" for j, v in enumerate(ins))
    lines.append(f"guard_true(i{k + 1}) [snap 0: {snap} @line 1]")
    ints = [f"i{k}"] + [f"i{j}" for j in range(2, n)] + ["i1"]
    floats = [f"f{j}" for j in range(n + 1, 2 * n)] + [f"f{n}"]
    lines.append(f"jump({', '.join(ints + floats)})")
    text = "\n".join(lines)
    c = Compiled(target, text)
    assert any(isinstance(loc, Stack) for loc in c.image.label_locations)
    c.free()
    for iters in (1, 2, 5, 23):
        check_all(target, text, [[iters] + list(range(1, n)) + [float(j) + 0.5 for j in range(n)]])


# -- calls -------------------------------------------------------------------------------------
def test_call_f_one_and_two_arguments(target):
    text = """
label(f0, f1)
f2 = call_f(sin, f0)
f3 = call_f(pow, f0, f1)
f4 = call_f(atan2, f1, f0)
f5 = call_f(pow, 2.0, f0)
f6 = call_f(atan2, f1, 1.0)
guard_false(1) [snap 0: a=f2 b=f3 c=f4 d=f5 e=f6 @line 1]
jump(f0, f1)
"""
    check_all(target, text, [(a, b) for a in (0.5, -1.25, 3.0, 0.0, NAN, math.inf, 1e-300)
                     for b in (2.0, -0.5, 0.0, 3.0)])


@pytest.mark.parametrize("arch", sorted(ASSEMBLERS))
def test_call_sites_name_the_call_targets(arch):
    t = parse_trace("label(f0)\nf1 = call_f(sin, f0)\nf2 = call_f(pow, f1, f0)\n"
                    "guard_false(1) [snap 0: r=f2 @line 1]\njump(f0)", CALLS)
    img = compile_trace(t, arch)
    assert [d.name for _, d in img.call_sites] == ["sin", "pow"]
    assert img.call_kinds == ["ff", "fff"]
    for at, d in img.call_sites:
        assert struct.unpack_from("<Q", img.code, at)[0] == d.address


def test_call_results_match_math_module(target):
    text = "label(f0)\nf1 = call_f(sin, f0)\nguard_false(1) [snap 0: r=f1 @line 1]\njump(f0)"
    c = Compiled(target, text)
    for x in (0.1, 1.0, 2.5, -3.0, 100.0):
        assert bits(c.native((x,))[1]["r"]) == bits(math.sin(x))
    c.free()


def test_values_live_across_calls_survive(target):
    text = """
label(i0, i1, f2, f3, f4)
f5 = call_f(sin, f2)
f6 = float_add(f5, f3)
i7 = int_mul(i0, 3)
f8 = call_f(atan2, f6, f4)
f9 = float_add(f8, f2)
f10 = float_mul(f9, f3)
i11 = int_add(i7, i1)
i12 = int_add(i0, 1)
i13 = int_lt(i12, i1)
guard_true(i13) [snap 0: a=i7 b=i11 c=f6 d=f9 e=f10 f=f3 g=f4 @line 1]
f14 = float_add(f2, 0.25)
jump(i12, i1, f14, f10, f6)
"""
    check_all(target, text, [(0, 40, 0.5, 1.0, -2.0), (3, 4, -1.0, 2.0, 0.5)])


class Clobberer:
    """A machine-code function that destroys every caller-saved register, then returns
    ``x + x`` (one argument) or ``x - y`` (two): what the System V ABI allows a callee."""

    def __init__(self, nargs: int):
        from jitnb.jit.backend.x86_64 import registers as RR
        from jitnb.jit.backend.x86_64.encoder import X86Encoder
        e = X86Encoder()
        for k, reg in enumerate(RR.CALLER_SAVED_GPRS):
            e.MOV_ri(reg, 0x5A5A5A5A00000000 + k)
        for x in range(nargs, 16):
            e.MOVQ_xr(x, RR.RAX)
        if nargs == 1:
            e.ADDSD_xx(0, 0)
        else:
            e.SUBSD_xx(0, 1)
        e.RET()
        self.name = f"clobber{nargs}"
        from jitnb.emu.native import NativeCode
        self.code = NativeCode(CodeImage("x86_64", e.bytes()))
        self.address = self.code.address
        self.c_call = self.func = (lambda x: x + x) if nargs == 1 else (lambda x, y: x - y)

    def __str__(self) -> str:
        return self.name


@x86_host
def test_call_clobbering_every_caller_saved_register(target):
    """Native code calls the clobberers; emulated code's calls are serviced by a trap,
    which calls them natively and then poisons every caller-saved register itself."""
    calls = {"clob1": Clobberer(1), "clob2": Clobberer(2)}
    ints = " ".join(f"a{k}=i{k}" for k in range(12))
    more = "b=f12 c=f13 d=f14 e=f15 f=f16 g=i17 h=f18 j=i19 k=f20 l=f21"
    text = f"""
label({", ".join(f"i{k}" for k in range(12))}, f12, f13, f14, f15)
f16 = call_f(clob1, f12)
i17 = int_add(i0, i1)
f18 = call_f(clob2, f13, f16)
i19 = int_mul(i2, i3)
f20 = float_add(f18, f14)
f21 = call_f(clob2, f20, f15)
i22 = int_sub(i0, 1)
i23 = int_gt(i22, 0)
guard_true(i23) [snap 0: {ints} {more} @line 1]
jump(i22, {", ".join(f"i{k}" for k in range(1, 12))}, f21, f12, f20, f16)
"""
    check_all(target, text, [[n] + list(range(100, 111)) + [0.5, 1.25, -3.0, 7.5] for n in (1, 2, 6)],
              calls=calls)
    for c in calls.values():
        c.code.free()


def test_call_arguments_in_a_cycle(target):
    # Values arrive in each other's argument registers.
    text = """
label(f0, f1, i2)
f3 = call_f(atan2, f1, f0)
f4 = call_f(hypot, f3, f1)
i5 = int_sub(i2, 1)
i6 = int_gt(i5, 0)
guard_true(i6) [snap 0: a=f0 b=f1 c=f3 d=f4 @line 1]
jump(f1, f4, i5)
"""
    check_all(target, text, [(0.5, 2.0, n) for n in (1, 2, 5, 20)])


def test_call_with_math_module_descriptor(target):
    calls = pytest.importorskip("jitnb.jit.trace.calls")
    descr = calls.BY_NAME.get("sin")
    if descr is None:
        pytest.skip("no sin descriptor")
    check_all(target, "label(f0)\nf1 = call_f(sin, f0)\nguard_false(1) [snap 0: r=f1 @line 1]\njump(f0)",
              [(0.5,), (-2.0,)], calls={"sin": descr})


# -- forwarding, constants in snapshots, image metadata -----------------------------------------
def test_forwarded_values_and_constants_in_snapshots(target):
    t = parse_trace("""
label(i0, f1)
i2 = int_add(i0, 0)
i3 = int_mul(i2, 5)
f4 = float_add(f1, 0.0)
guard_false(1) [snap 0: a=i2 b=i3 c=f4 k=12 x=2.5 @line 1]
jump(i0, f1)
""")
    t.ops[1].forward = t.inputs[0]           # i2 == i0
    t.ops[3].forward = Const(-7.5)           # f4 folded to a constant
    c = Compiled(target, t)
    for inp in ((3, 1.0), (-2, NAN)):
        c.check(inp)
    c.free()


@pytest.mark.parametrize("arch", sorted(ASSEMBLERS))
def test_image_metadata(arch):
    t = parse_trace(SUM_LOOP)
    img = compile_trace(t, arch)
    assert len(img.op_offsets) == len(t.ops)
    assert len(img.guard_offsets) == len(t.guards()) == 1
    assert img.frame_slots == 4
    field, stub = img.guard_offsets[0]
    assert img.guard_target(0) == stub
    assert all(s <= e <= img.code_size for s, e in img.op_offsets)
    cmp_size = 3 if arch == "x86_64" else 4
    assert img.op_offsets[3][0] == img.op_offsets[3][1] - cmp_size     # fused: just the cmp
    listing = img.listing(t)
    assert "guard_true" in listing and "exit stub for guard 0" in listing
    offset, data = img.patch_guard(0, 0x1000, base=0)
    assert offset == field and img.guard_target(0) == 0x1000


def test_reload_entry_and_kinds_metadata():
    """x86_64 (aarch64: test_aarch64_backend)."""
    t = parse_trace(SUM_LOOP)
    img = compile_trace(t)
    assert img.kind == "loop" and not img.is_bridge and img.first_exit == 0
    assert 0 < img.reload_offset <= img.loop_offset
    # the prologue ends with mov r15, rdi; the reload entry loads the label values
    assert img.instructions()[0][2] == "push"
    reload = [ins for ins in img.instructions() if img.reload_offset <= ins[0] < img.loop_offset]
    assert [m for _, _, m, _ in reload][:3] == ["mov"] * 3
    assert all("r15" in ops for _, _, m, ops in reload if m == "mov")
    assert img.input_kinds == "iii" and img.guard_kinds == ["iii"]
    assert img.loop_frame_size == img.frame_size and img.loop_saved_regs == img.saved_regs
    assert "reload entry" in img.listing(t)
    for _, stub in img.guard_offsets:                  # room for an absolute jump
        assert img.code[stub:stub + 13].count(b"\xcc") < 13


@pytest.mark.parametrize("arch", sorted(ASSEMBLERS))
def test_op_instructions_match_the_listing(arch):
    t = parse_trace(SUM_LOOP)
    img = compile_trace(t, arch)
    base = 0x400000
    listed = [line.split() for line in img.listing(t, base).splitlines()
              if not line.startswith("#")]
    in_ops = set()
    for i, (start, end) in enumerate(img.op_offsets):
        insns = img.op_instructions(i, base)
        assert (start == end) == (insns == [])
        for addr, mnem, ops in insns:
            assert base + start <= addr < base + end
            in_ops.add((addr, mnem))
    listed_in_ops = {(int(f[0], 16), f[2]) for f in listed
                     if any(base + s <= int(f[0], 16) < base + e for s, e in img.op_offsets)}
    assert in_ops == listed_in_ops
    # guard 0 is fused with its comparison: its op is the branch alone
    (g,) = [k for k, op in enumerate(t.ops) if op.num == O.GUARD_TRUE]
    (insn,) = img.op_instructions(g)
    assert insn[1].startswith("j" if arch == "x86_64" else "b.")
    # patching invalidates the cached disassembly
    before = img.op_instructions(g)
    img.patch_guard(0, 0x1234, base=0)
    assert img.op_instructions(g) != before


def test_raw_array_ops_round_trip_and_match_the_reference(target):
    import array
    for code, kind, values in [("q", "i", [MIN, MAX, -1, 5]), ("h", "i", [-32768, 32767, -1, 7]),
                               ("B", "i", [0, 255, 128, 1]), ("d", "f", [NAN, -0.0, 1e308, 2.5]),
                               ("f", "f", [1.5, -0.0, 3.0, 0.25])]:
        arr = array.array(code, values)
        base = arr.buffer_info()[0]
        op_get, op_set = f"getarrayitem_raw_{kind}", f"setarrayitem_raw_{kind}"
        t = parse_trace(f"""
label(i0)
{kind}1 = {op_get}({base}, i0)
{kind}2 = {op_get}({base}, 3)
{op_set}({base}, 3, {kind}1)
{op_set}({base}, i0, {kind}2)
i3 = int_add(i0, 1)
i4 = int_lt(i3, 3)
guard_true(i4) [snap 0: i=i3 a={kind}1 b={kind}2 @line 1]
jump(i3)
""")
        for op in t.ops:
            if "arrayitem_raw" in op.name:
                op.descr = code
        verify(t)
        c = Compiled(target, t)
        try:
            native = c.native([0])
            after_native = arr.tobytes()
            arr[:] = array.array(code, values)
            want = c.reference([0])
            assert arr.tobytes() == after_native
            assert native[0] == want[0] == 0
            for name in ("i", "a", "b"):
                k = "f" if kind == "f" and name != "i" else "i"
                assert target.same(k, native[1][name], want[1][name]), (code, name)
        finally:
            c.free()


def test_small_loop_uses_no_stack_and_runs_fast(target):
    import time
    c = Compiled(target, SUM_LOOP)
    assert c.image.frame_size == 0
    n = 50_000_000 if not target.emulated else 2_000_000
    frame = c.code.make_frame([0, n, 0], "iii")
    t0 = time.perf_counter()
    assert c.code.run(frame) == 0
    dt = time.perf_counter() - t0
    assert frame[3] == n * (n - 1) // 2
    if not target.emulated:
        assert n / dt > 100e6, f"{n / dt / 1e6:.0f}M iterations/s"
    c.free()


# -- randomized differential test ---------------------------------------------------------------
class RandomTrace:
    INT_OPS = ["int_add", "int_sub", "int_mul", "int_and", "int_or", "int_xor", "int_lshift",
               "int_rshift", "int_floordiv", "int_mod", "int_neg", "int_invert", "int_lt",
               "int_ge", "int_le", "int_gt", "int_eq", "int_ne", "int_add_ovf", "int_sub_ovf",
               "int_mul_ovf", "cast_float_to_int", "float_lt", "float_ge", "float_le",
               "float_gt", "float_eq", "float_ne", "same_as_i", "guard_value"]
    FLOAT_OPS = ["float_add", "float_sub", "float_mul", "float_truediv", "float_neg",
                 "float_abs", "float_sqrt", "cast_int_to_float", "call_sin", "call_atan2",
                 "same_as_f"]

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.lines: list[str] = []
        self.n_int = rng.randint(1, 4)
        self.n_float = rng.randint(1, 4)
        self.ints = [f"i{k}" for k in range(self.n_int)]
        self.floats = [f"f{k}" for k in range(self.n_int, self.n_int + self.n_float)]
        self.k = self.n_int + self.n_float
        self.guards = 0

    def iarg(self):
        if self.rng.random() < 0.2:
            return str(self.rng.choice(INTS + [5, 13, -9]))
        return self.rng.choice(self.ints)

    def farg(self):
        if self.rng.random() < 0.15:
            return repr(self.rng.choice([1.5, -0.0, 2.0, 1e10, -3.25]))
        return self.rng.choice(self.floats)

    def snapshot(self):
        vals = self.rng.sample(self.ints + self.floats, min(len(self.ints + self.floats), 6))
        g = self.guards
        self.guards += 1
        return f"[snap {g}: " + " ".join(f"s{j}={v}" for j, v in enumerate(vals)) + " @line 1]"

    def put(self, kind, rhs):
        """Define a new value (after its operands were chosen); returns its name."""
        name = f"{kind}{self.k}"
        self.k += 1
        self.lines.append(f"{name} = {rhs}")
        (self.ints if kind == "i" else self.floats).append(name)
        return name

    def guard(self, name):
        self.lines.append(f"{name} {self.snapshot()}")

    def op(self):
        rng = self.rng
        if rng.random() < 0.55:
            name = rng.choice(self.INT_OPS)
            if name in ("int_neg", "int_invert", "same_as_i"):
                self.put("i", f"{name}({self.iarg()})")
            elif name == "guard_value":
                self.guard(f"guard_value({self.iarg()}, {self.iarg()})")
            elif name == "cast_float_to_int":
                self.put("i", f"{name}({self.farg()})")
            elif name.startswith("float_"):
                c = self.put("i", f"{name}({self.farg()}, {self.farg()})")
                if rng.random() < 0.5:
                    self.guard(f"{rng.choice(['guard_true', 'guard_false'])}({c})")
            elif name in ("int_floordiv", "int_mod"):
                d = self.put("i", f"int_or({self.iarg()}, 1)")
                self.put("i", f"{name}({self.iarg()}, {d})")
            elif name == "int_rshift":
                c = self.put("i", f"int_and({self.iarg()}, 127)")
                self.put("i", f"{name}({self.iarg()}, {c})")
            elif name.endswith("_ovf"):
                self.put("i", f"{name}({self.iarg()}, {self.iarg()})")
                g = rng.choice(["guard_no_overflow", "guard_overflow"]) \
                    if rng.random() < 0.2 else "guard_no_overflow"
                self.guard(f"{g}()")
            else:
                c = self.put("i", f"{name}({self.iarg()}, {self.iarg()})")
                if name in ("int_lt", "int_ge", "int_le", "int_gt", "int_eq", "int_ne") \
                        and rng.random() < 0.3:
                    self.guard(f"{rng.choice(['guard_true', 'guard_false'])}({c})")
        else:
            name = rng.choice(self.FLOAT_OPS)
            if name in ("float_neg", "float_abs", "float_sqrt", "same_as_f"):
                self.put("f", f"{name}({self.farg()})")
            elif name == "cast_int_to_float":
                self.put("f", f"{name}({self.iarg()})")
            elif name == "call_sin":
                self.put("f", f"call_f(sin, {self.farg()})")
            elif name == "call_atan2":
                self.put("f", f"call_f(atan2, {self.farg()}, {self.farg()})")
            elif name == "float_truediv":
                d = self.put("f", f"float_abs({self.farg()})")
                d = self.put("f", f"float_add({d}, 1.0)")
                self.put("f", f"float_truediv({self.farg()}, {d})")
            else:
                self.put("f", f"{name}({self.farg()}, {self.farg()})")

    def build(self, n_ops):
        for _ in range(n_ops):
            self.op()
        snap = " ".join(f"v{j}={v}" for j, v in enumerate(self.ints + self.floats))
        self.lines.append(f"guard_false(1) [snap {self.guards}: {snap} @line 9]")
        head = f"label({', '.join(self.ints[:self.n_int] + self.floats[:self.n_float])})"
        jump = f"jump({', '.join(self.ints[:self.n_int] + self.floats[:self.n_float])})"
        return "\n".join([head] + self.lines + [jump])

    def inputs(self):
        rng = self.rng
        ints = [rng.choice(INTS) if rng.random() < 0.5 else rng.randint(-1000, 1000)
                for _ in range(self.n_int)]
        floats = [rng.choice(FLOATS) if rng.random() < 0.3 else rng.uniform(-100, 100)
                  for _ in range(self.n_float)]
        return ints + floats


@pytest.mark.parametrize("seed", range(6))
def test_random_straight_line_traces(seed, target):
    rng = random.Random(1000 + seed)
    for case in range(50):
        gen = RandomTrace(rng)
        text = gen.build(rng.randint(3, 45))
        check_all(target, text, [gen.inputs() for _ in range(6)])


class RandomLoop(RandomTrace):
    """A random body inside a counted loop; the jump sends random values (often
    permuted inputs, sometimes constants) around the back-edge."""

    def build(self, n_ops):
        rng = self.rng
        counter = self.ints[0]
        for _ in range(n_ops):
            self.op()
        c = self.put("i", f"int_sub({counter}, 1)")
        g = self.put("i", f"int_gt({c}, 0)")
        self.guard(f"guard_true({g})")
        ins_i, ins_f = self.ints[:self.n_int], self.floats[:self.n_float]
        args = [c]
        for _ in ins_i[1:]:
            args.append(str(rng.choice([0, 3, -1])) if rng.random() < 0.1
                        else rng.choice(ins_i[1:] if rng.random() < 0.5 else self.ints[1:]))
        for _ in ins_f:
            args.append("0.5" if rng.random() < 0.1
                        else rng.choice(ins_f if rng.random() < 0.5 else self.floats))
        head = f"label({', '.join(ins_i + ins_f)})"
        return "\n".join([head] + self.lines + [f"jump({', '.join(args)})"])

    def inputs(self):
        values = super().inputs()
        values[0] = self.rng.randint(1, 8)
        return values


@pytest.mark.parametrize("seed", range(4))
def test_random_loops(seed, target):
    rng = random.Random(2000 + seed)
    for case in range(40):
        gen = RandomLoop(rng)
        gen.n_int = max(gen.n_int, 2)
        gen.ints = [f"i{k}" for k in range(gen.n_int)]
        gen.floats = [f"f{k}" for k in range(gen.n_int, gen.n_int + gen.n_float)]
        gen.k = gen.n_int + gen.n_float
        text = gen.build(rng.randint(2, 30))
        check_all(target, text, [gen.inputs() for _ in range(4)])


@pytest.mark.parametrize("seed", range(2))
def test_random_wide_loops(seed, target):
    """Up to 20 int and 20 float loop inputs: label values on the stack, stack-to-stack
    moves at the jump."""
    rng = random.Random(3000 + seed)
    for case in range(25):
        gen = RandomLoop(rng)
        gen.n_int, gen.n_float = rng.randint(2, 20), rng.randint(1, 20)
        gen.ints = [f"i{k}" for k in range(gen.n_int)]
        gen.floats = [f"f{k}" for k in range(gen.n_int, gen.n_int + gen.n_float)]
        gen.k = gen.n_int + gen.n_float
        text = gen.build(rng.randint(2, 40))
        check_all(target, text, [gen.inputs() for _ in range(3)])
