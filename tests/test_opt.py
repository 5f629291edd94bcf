"""The optimiser passes: before/after listings, and every optimised trace checked against the
unoptimised one on the reference IR interpreter (same exit snapshot, values, iterations and
memory); peeled loops on every machine-code target; the chain string; listings."""
from __future__ import annotations

import array
import ctypes
import os
import struct
import sys

import pytest

import jitnb
from jitnb.jit.compiled import CheckedExecutor, ReferenceExecutor
from jitnb.jit.ir import interp as R
from jitnb.jit.ir.trace import Const, parse_trace, print_trace, resolve, verify
from jitnb.jit.opt import PASSES, optimize
from jitnb.jit.opt.log import PassLog
from jitnb.params import Params

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from backend_targets import target  # noqa: E402,F401
from difftest import assert_same  # noqa: E402

MAX = (1 << 63) - 1


def parse(text: str, typecode: str | None = None):
    t = parse_trace(text)
    for op in t.ops:
        if "arrayitem_raw" in op.name:
            op.descr = typecode
    verify(t)
    return t


def _key(values: dict) -> dict:
    return {k: struct.pack("<d", v) if isinstance(v, float) else v for k, v in values.items()}


def check_same(before, after, inputs, arrays=(), max_iterations=None):
    """Run the unoptimised and the optimised trace from the same state (arrays restored in
    between): the same exit snapshot with the same values, iterations and memory."""
    saved = [a.tobytes() for a in arrays]

    def run(trace, header=None):
        for a, data in zip(arrays, saved):
            ctypes.memmove(a.buffer_info()[0], data, len(data))
        try:
            ex = R.run(trace, list(inputs), max_iterations) if header is None else \
                R.header_exit(trace, list(inputs), header)
        except R.Interrupted as stop:
            return (("interrupted", stop.iterations, stop.values),
                    [a.tobytes() for a in arrays]), None
        return ((ex.guard.snapshot.line, ex.iterations, _key(ex.values)),
                [a.tobytes() for a in arrays]), ex
    (got, ex), header = run(after), None
    if ex is not None and ex.guard.descr == R.HEADER:     # a check the optimiser added
        header = ex.iterations
    want, _ = run(before, header)
    assert got == want, f"optimised {got} != unoptimised {want} from {inputs}"
    return want


def opt(text: str, chain: str, typecode=None):
    before = parse(text, typecode)
    after = optimize(before, chain.split(":"))
    verify(after)
    return before, after


# -- the chain ------------------------------------------------------------------------------
def test_unknown_pass_names_are_errors_listing_the_known_ones():
    t = parse("label(i0)\ni1 = int_add(i0, 1)\njump(i1)")
    with pytest.raises(ValueError, match="'nope'.*known passes: fold:intbounds"):
        optimize(t, ["fold", "nope"])
    with pytest.raises(ValueError, match="'peel'"):
        Params(enable_opts="fold:peel")
    assert Params().opts() == ["fold", "intbounds", "cse", "heap", "dce", "virtualize", "unroll"]
    assert set(Params().opts()) <= set(PASSES)


def test_virtualize_is_a_no_op_at_ir_level():
    text = "label(i0)\ni1 = int_add(i0, 0)\ni2 = int_mul(i0, 3)\njump(i1)"
    assert print_trace(optimize(parse(text), ["virtualize"])) == text


def test_chain_runs_in_the_order_given():
    text = """
label(i0)
i1 = int_add(i0, 0)
i2 = int_mul(i1, 2)
i3 = int_mul(i0, 2)
i4 = int_add(i2, i3)
jump(i4)
"""
    # cse before fold: i2 and i3 are different expressions until fold rewrites i1 to i0
    assert print_trace(optimize(parse(text), ["cse", "fold"])).count("int_mul") == 2
    assert print_trace(optimize(parse(text), ["fold", "cse"])) == \
        "label(i0)\ni1 = int_mul(i0, 2)\ni2 = int_add(i1, i1)\njump(i2)"


# -- intbounds ------------------------------------------------------------------------------
INTBOUNDS = """
label(i0, i1, i2)
i3 = int_lt(i0, i1)
guard_true(i3) [snap 0: i=i0 n=i1 k=i2 @line 1]
i4 = int_ge(i0, 0)
guard_true(i4) [snap 1: i=i0 n=i1 k=i2 @line 2]
i5 = int_add_ovf(i0, 1)
guard_no_overflow() [snap 2: i=i0 n=i1 k=i2 @line 3]
i6 = int_and(i2, 255)
i7 = int_lt(i6, 256)
guard_true(i7) [snap 3: i=i0 n=i1 k=i2 @line 4]
i8 = int_mul_ovf(i6, i6)
guard_no_overflow() [snap 4: i=i0 n=i1 k=i2 @line 5]
guard_true(i3) [snap 5: i=i0 n=i1 k=i8 @line 6]
i9 = int_mod(i2, 10)
i10 = int_eq(i9, 12)
guard_false(i10) [snap 6: i=i0 n=i1 k=i8 @line 7]
i11 = int_add_ovf(i2, i8)
guard_no_overflow() [snap 7: i=i0 n=i1 k=i2 @line 8]
jump(i5, i1, i11)
"""


def test_intbounds_removes_overflow_checks_and_proven_guards():
    before, after = opt(INTBOUNDS, "intbounds:dce")
    assert print_trace(after) == """
label(i0, i1, i2)
i3 = int_lt(i0, i1)
guard_true(i3) [snap 0: i=i0 n=i1 k=i2 @line 1]
i4 = int_ge(i0, 0)
guard_true(i4) [snap 1: i=i0 n=i1 k=i2 @line 2]
i5 = int_add(i0, 1)
i6 = int_and(i2, 255)
i7 = int_mul(i6, i6)
i8 = int_add_ovf(i2, i7)
guard_no_overflow() [snap 2: i=i0 n=i1 k=i2 @line 8]
jump(i5, i1, i8)
""".strip()
    for inputs in ([0, 5, 7], [-2, 3, 1000], [4, 4, 0], [0, 10, MAX - 3], [0, 10, MAX],
                   [MAX - 1, MAX, -5]):
        check_same(before, after, inputs)


CSE_OVF = """
label(i0, i1, i2)
i3 = int_lt(i0, i1)
guard_true(i3) [snap 0: i=i0 n=i1 k=i2 @line 1]
i4 = int_add_ovf(i2, i0)
guard_no_overflow() [snap 1: i=i0 n=i1 k=i2 @line 2]
i5 = int_add_ovf(i0, i2)
guard_no_overflow() [snap 2: i=i0 n=i1 k=i2 @line 3]
i6 = int_sub_ovf(i4, 1)
guard_no_overflow() [snap 3: i=i0 n=i1 k=i2 a=i4 @line 4]
i7 = int_sub_ovf(i5, 1)
guard_no_overflow() [snap 4: i=i0 n=i1 k=i2 a=i5 @line 5]
i8 = int_add(i6, i7)
i9 = int_add(i0, 1)
jump(i9, i1, i8)
"""


def test_cse_merges_repeated_overflow_checked_ops_and_their_guards():
    before, after = opt(CSE_OVF, "cse")
    assert print_trace(after) == """
label(i0, i1, i2)
i3 = int_lt(i0, i1)
guard_true(i3) [snap 0: i=i0 n=i1 k=i2 @line 1]
i4 = int_add_ovf(i2, i0)
guard_no_overflow() [snap 1: i=i0 n=i1 k=i2 @line 2]
i5 = int_sub_ovf(i4, 1)
guard_no_overflow() [snap 2: i=i0 n=i1 k=i2 a=i4 @line 4]
i6 = int_add(i5, i5)
i7 = int_add(i0, 1)
jump(i7, i1, i6)
""".strip()
    for inputs in ([0, 5, 7], [0, 3, MAX], [1, 9, MAX], [0, 4, -(1 << 63)], [2, 2, 0]):
        check_same(before, after, inputs)


def test_intbounds_uses_array_lengths_and_element_types():
    text = """
label(i0, i1, i2)
i3 = int_ge(i1, 0)
guard_true(i3) [snap 0: n=i1 @line 1]
i4 = getarrayitem_raw_i(i0, i2)
i5 = int_add_ovf(i4, 1000)
guard_no_overflow() [snap 1: n=i1 @line 2]
i6 = int_lt(i5, 2000)
guard_true(i6) [snap 2: n=i1 @line 3]
i7 = int_add(i2, 1)
i8 = int_lt(i7, i1)
guard_true(i8) [snap 3: n=i1 i=i7 @line 4]
jump(i0, i1, i7)
"""
    arr = array.array("h", [-32768, 5, 32767, 9])
    before = parse(text, "h")
    before.input_bounds = {1: (0, MAX)}          # i1 is an array length
    after = optimize(before, ["intbounds", "dce"])
    verify(after)
    body = print_trace(after)
    assert "int_ge" not in body and "guard_no_overflow" not in body
    assert "int_add(i3, 1000)" in body and "int_lt(i4, 2000)" in body     # 32767 + 1000 >= 2000
    base = arr.buffer_info()[0]
    for start in (0, 1, 3):
        check_same(before, after, [base, 4, start], [arr])


def test_intbounds_in_a_peeled_loop_keeps_what_the_counter_cannot_lose():
    text = """
label(i0, i1, i2)
i3 = int_lt(i0, i1)
guard_true(i3) [snap 0: i=i0 s=i2 @line 1]
i4 = int_ge(i0, 0)
guard_true(i4) [snap 1: i=i0 s=i2 @line 2]
i5 = int_sub_ovf(i2, i0)
guard_no_overflow() [snap 2: i=i0 s=i2 @line 3]
i6 = int_add_ovf(i0, 1)
guard_no_overflow() [snap 3: i=i0 s=i2 @line 4]
jump(i6, i1, i5)
"""
    before, after = opt(text, "intbounds:unroll:dce")
    text_after = print_trace(after)
    pre, body = text_after.split("\nlabel(", 1)
    assert "int_ge" in pre and "int_ge" not in body          # i >= 0 holds from then on
    assert body.count("guard_no_overflow") == 1              # s - i may still overflow
    for inputs in ([0, 10, 0], [-3, 2, 0], [5, 6, 1], [0, 3, -MAX + 1], [0, 1000, 7]):
        check_same(before, after, inputs)


# -- dce ------------------------------------------------------------------------------------
def test_dce_removes_unused_pure_ops_but_not_snapshot_values_or_checks():
    before, after = opt("""
label(i0, f1)
i2 = int_add(i0, 1)
i3 = int_mul(i0, 7)
f4 = float_mul(f1, 2.0)
i5 = int_lt(i2, 100)
guard_true(i5) [snap 0: i=i2 x=f4 @line 1]
f6 = float_sqrt(f1)
i7 = int_add_ovf(i0, 5)
guard_no_overflow() [snap 1: i=i2 x=f1 @line 2]
jump(i2, f1)
""", "dce")
    assert print_trace(after) == """
label(i0, f1)
i2 = int_add(i0, 1)
f3 = float_mul(f1, 2.0)
i4 = int_lt(i2, 100)
guard_true(i4) [snap 0: i=i2 x=f3 @line 1]
i5 = int_add_ovf(i0, 5)
guard_no_overflow() [snap 1: i=i2 x=f1 @line 2]
jump(i2, f1)
""".strip()
    for inputs in ([0, 1.5], [98, -0.0], [MAX - 3, 2.0]):
        check_same(before, after, inputs)


# -- heap -----------------------------------------------------------------------------------
HEAP = """
label(i0, i1, i2, f3)
f4 = getarrayitem_raw_f(i0, i1)
f5 = getarrayitem_raw_f(i0, i1)
f6 = float_add(f4, f5)
setarrayitem_raw_f(i0, i1, f6)
setarrayitem_raw_f(i0, i1, f3)
f7 = getarrayitem_raw_f(i0, i1)
f8 = getarrayitem_raw_f(i0, 0)
setarrayitem_raw_f(i0, 1, f7)
f9 = getarrayitem_raw_f(i0, 0)
setarrayitem_raw_f(i2, 0, f9)
f10 = getarrayitem_raw_f(i0, i1)
setarrayitem_raw_f(i0, 2, f10)
i11 = int_add(i1, 1)
i12 = int_lt(i11, 3)
guard_true(i12) [snap 0: i=i11 x=f10 @line 1]
setarrayitem_raw_f(i0, 2, f8)
jump(i0, i11, i2, f10)
"""


@pytest.mark.parametrize("typecode", ["d", "f"])
def test_heap_caches_loads_forwards_stores_and_drops_overwritten_stores(typecode):
    before, after = opt(HEAP, "heap:dce", typecode)
    forwarded = "f3" if typecode == "d" else "f5"     # float32 stores round: load again
    lines = ["label(i0, i1, i2, f3)",
             "f4 = getarrayitem_raw_f(i0, i1)",          # the second load is the first
             "setarrayitem_raw_f(i0, i1, f3)"]           # the store of f4 + f4: overwritten
    if typecode == "d":
        lines += ["f5 = getarrayitem_raw_f(i0, 0)",      # i0[1] = f3 keeps i0[0] known
                  "setarrayitem_raw_f(i0, 1, f3)", "setarrayitem_raw_f(i2, 0, f5)",
                  "f6 = getarrayitem_raw_f(i0, i1)",     # i2 may be i0: load again
                  "setarrayitem_raw_f(i0, 2, f6)", "i7 = int_add(i1, 1)", "i8 = int_lt(i7, 3)",
                  "guard_true(i8) [snap 0: i=i7 x=f6 @line 1]",
                  "setarrayitem_raw_f(i0, 2, f5)", "jump(i0, i7, i2, f6)"]
    else:
        lines += ["f5 = getarrayitem_raw_f(i0, i1)", "f6 = getarrayitem_raw_f(i0, 0)",
                  "setarrayitem_raw_f(i0, 1, f5)", "setarrayitem_raw_f(i2, 0, f6)",
                  "f7 = getarrayitem_raw_f(i0, i1)", "setarrayitem_raw_f(i0, 2, f7)",
                  "i8 = int_add(i1, 1)", "i9 = int_lt(i8, 3)",
                  "guard_true(i9) [snap 0: i=i8 x=f7 @line 1]",
                  "setarrayitem_raw_f(i0, 2, f6)", "jump(i0, i8, i2, f7)"]
    assert print_trace(after) == "\n".join(lines), forwarded
    a = array.array(typecode, [0.1, 1.7, 2.5, -3.25])
    b = array.array(typecode, [9.0, 8.0])
    for i, other, x in ((0, b, 1e-40), (1, a, 3.3), (2, b, -0.0), (0, a, 1.0000001)):
        check_same(before, after, [a.buffer_info()[0], i, other.buffer_info()[0], x], [a, b])


def test_heap_keeps_stores_a_guard_or_aliasing_load_may_see():
    before, after = opt("""
label(i0, i1, i2)
i3 = int_lt(i1, 4)
guard_true(i3) [snap 0: i=i1 @line 1]
setarrayitem_raw_i(i0, i1, 7)
i4 = getarrayitem_raw_i(i2, 0)
setarrayitem_raw_i(i0, i1, i4)
i5 = int_lt(i4, 100)
guard_true(i5) [snap 1: x=i4 @line 2]
setarrayitem_raw_i(i0, i1, 5)
i6 = getarrayitem_raw_i(i0, i1)
i7 = int_add(i6, i1)
i8 = int_sub(i7, 4)
jump(i0, i8, i2)
""", "heap", "l")
    assert print_trace(after).count("setarrayitem_raw_i") == 3
    assert "int_add(5, i1)" in print_trace(after)          # the 8-byte store forwarded
    a = array.array("l", [1, 2, 3, 4])
    b = array.array("l", [200])
    for i, other in ((0, a), (1, a), (0, b), (3, b)):
        check_same(before, after, [a.buffer_info()[0], i, other.buffer_info()[0]], [a, b])


# -- unroll ---------------------------------------------------------------------------------
UNROLL = """
label(i0, i1, f2, f3)
i4 = int_lt(i0, i1)
guard_true(i4) [snap 0: i=i0 n=i1 s=f2 k=f3 @line 1]
i5 = int_ge(i0, 0)
guard_true(i5) [snap 1: i=i0 n=i1 s=f2 k=f3 @line 2]
f6 = float_mul(f3, f3)
f7 = float_sqrt(f6)
i8 = int_gt(i1, 4)
guard_true(i8) [snap 2: i=i0 n=i1 s=f2 k=f3 @line 3]
i9 = int_mul_ovf(i1, 3)
guard_no_overflow() [snap 3: i=i0 n=i1 s=f2 k=f3 @line 4]
i10 = int_add_ovf(i0, i9)
guard_no_overflow() [snap 4: i=i0 n=i1 s=f2 k=f3 @line 5]
f11 = cast_int_to_float(i10)
f12 = float_add(f2, f7)
f13 = float_add(f12, f11)
i14 = int_add_ovf(i0, 1)
guard_no_overflow() [snap 5: i=i0 n=i1 s=f13 k=f3 @line 6]
jump(i14, i1, f13, f3)
"""


def test_unroll_peels_and_carries_loop_invariants_into_the_body():
    before, after = opt(UNROLL, "intbounds:unroll:dce")
    assert print_trace(after) == """
label(i0, i1, f2, f3)
i4 = int_lt(i0, i1)
guard_true(i4) [snap 0: i=i0 n=i1 s=f2 k=f3 @line 1]
i5 = int_ge(i0, 0)
guard_true(i5) [snap 1: i=i0 n=i1 s=f2 k=f3 @line 2]
f6 = float_mul(f3, f3)
f7 = float_sqrt(f6)
i8 = int_gt(i1, 4)
guard_true(i8) [snap 2: i=i0 n=i1 s=f2 k=f3 @line 3]
i9 = int_mul_ovf(i1, 3)
guard_no_overflow() [snap 3: i=i0 n=i1 s=f2 k=f3 @line 4]
i10 = int_add_ovf(i0, i9)
guard_no_overflow() [snap 4: i=i0 n=i1 s=f2 k=f3 @line 5]
f11 = cast_int_to_float(i10)
f12 = float_add(f2, f7)
f13 = float_add(f12, f11)
i14 = int_add(i0, 1)
jump(i14, i1, f13, f3, f7, i9)
label(i15, i16, f17, f18, f19, i20)
i21 = int_lt(i15, i16)
guard_true(i21) [snap 5: i=i15 n=i16 s=f17 k=f18 @line 1]
i22 = int_add_ovf(i15, i20)
guard_no_overflow() [snap 6: i=i15 n=i16 s=f17 k=f18 @line 5]
f23 = cast_int_to_float(i22)
f24 = float_add(f17, f19)
f25 = float_add(f24, f23)
i26 = int_add(i15, 1)
jump(i26, i16, f25, f18, f19, i20)
""".strip()
    assert print_trace(parse_trace(print_trace(after))) == print_trace(after)   # round trip
    for inputs in ([0, 10, 0.0, 2.0], [0, 3, 1.0, 1.5], [-2, 6, 0.5, -3.0], [0, MAX // 2, 0.0, 1.0],
                   [0, 20, 0.0, float("nan")], [3, 3, 1.0, 1.0]):
        check_same(before, after, inputs)
    # the interrupt hands back the trace's own inputs, after as many iterations
    for n in (1, 2, 5):
        check_same(before, after, [0, 10, 0.0, 2.0], max_iterations=n)


def test_unroll_leaves_bridges_and_finishing_traces_alone():
    bridge = parse("label(i0)\ni1 = int_mul(i0, 2)\njump(i1)")
    assert optimize(bridge, ["unroll"], bridge=True).loop_index() == 0
    assert optimize(parse("label(i0)\nfinish(i0)"), ["unroll"]).loop_index() == 0


def test_verify_rejects_body_ops_using_preamble_values():
    bad = parse_trace("label(i0)\ni1 = int_add(i0, 1)\njump(i1)\nlabel(i2)\n"
                      "i3 = int_add(i1, i2)\njump(i3)")
    with pytest.raises(AssertionError, match="undefined"):
        verify(bad)


def test_the_trace_checker_catches_a_wrong_optimisation():
    good = parse("label(i0, i1)\ni2 = int_lt(i0, i1)\nguard_true(i2) [snap 0: i=i0 @line 1]\n"
                 "i3 = int_add(i0, 1)\njump(i3, i1)")
    wrong = parse("label(i0, i1)\ni2 = int_lt(i0, i1)\nguard_true(i2) [snap 0: i=i0 @line 1]\n"
                  "i3 = int_add(i0, 2)\njump(i3, i1)")
    for g, w in zip(good.guards(), wrong.guards()):
        w.snapshot.resume = g.snapshot.resume = object()
    def machine(trace):        # a stand-in for machine code that runs the trace exactly
        m = ReferenceExecutor(trace)
        m.code_size = 0
        return m
    ok = CheckedExecutor(machine(good), good, original=good)
    assert ok.execute([0, 5])[0] == 0
    checked = CheckedExecutor(machine(wrong), wrong, original=good)
    with pytest.raises(AssertionError, match="optimised and unoptimised"):
        checked.execute([0, 5])


# -- peeled loops in machine code -----------------------------------------------------------
def _run_machine(target, trace, inputs, interrupt=False):
    from jitnb.emu.native import from_slot, to_slot
    image = target.compile(trace)
    code = target.load(image)
    try:
        kinds = [v.kind for v in trace.inputs]
        frame = code.make_frame([to_slot(x, k) for x, k in zip(inputs, kinds)], "i" * len(kinds))
        frame[0] = int(interrupt)
        r = code.run(frame)
        if r == -2:
            return "interrupted", [from_slot(frame[1 + k], kind) for k, kind in enumerate(kinds)]
        guard = trace.guards()[r]
        fail = guard.snapshot.fail_args()
        values = {}
        for name, v in guard.snapshot.values:
            rv = resolve(v)
            values[name] = rv.value if isinstance(rv, Const) else \
                from_slot(frame[1 + fail.index(v)], rv.kind)
        return guard.snapshot.line, _key(values)
    finally:
        code.free()


def test_peeled_loops_run_on_every_target(target):
    before, after = opt(UNROLL, "fold:intbounds:cse:heap:dce:unroll")
    assert after.loop_index()
    for inputs in ([0, 10, 0.0, 2.0], [0, 3, 1.0, 1.5], [-2, 6, 0.5, -3.0], [3, 3, 1.0, 1.0],
                   [0, 2 ** 62, 0.0, 1.0]):
        if inputs[1] > 10 ** 6:
            continue                                  # long loops only natively below
        ex = R.run(before, list(inputs))
        assert _run_machine(target, after, inputs) == (ex.guard.snapshot.line, _key(ex.values))
    # interrupted at the first back-edge: preamble and one body iteration have run
    state, values = _run_machine(target, after, [0, 10, 0.0, 2.0], interrupt=True)
    with pytest.raises(R.Interrupted) as stop:
        R.run(before, [0, 10, 0.0, 2.0], max_iterations=2)
    assert state == "interrupted" and _key(dict(enumerate(values))) == \
        _key(dict(enumerate(stop.value.values)))


def test_peeled_loop_with_arrays_and_many_invariants_spills_on_every_target(target):
    lines = ["label(i0, i1, i2, f3)"]
    k = 4
    inv = []
    for j in range(24):                       # more invariants than registers
        lines.append(f"f{k} = float_mul(f3, {j + 1}.5)")
        inv.append(f"f{k}")
        k += 1
    lines.append(f"f{k} = getarrayitem_raw_f(i0, i1)")
    acc = f"f{k}"
    k += 1
    for v in inv:
        lines.append(f"f{k} = float_add({acc}, {v})")
        acc = f"f{k}"
        k += 1
    lines.append(f"setarrayitem_raw_f(i0, i1, {acc})")
    lines.append(f"i{k} = int_add(i1, 1)")
    lines.append(f"i{k + 1} = int_lt(i{k}, i2)")
    lines.append(f"guard_true(i{k + 1}) [snap 0: i=i{k} x={acc} @line 1]")
    lines.append(f"jump(i0, i{k}, i2, f3)")
    arr = array.array("d", [1.0, 2.0, 3.0, 4.0, 5.0])
    before, after = opt("\n".join(lines), "fold:intbounds:cse:heap:dce:unroll", "d")
    assert after.loop_index() and len(after.loop_label.args) == 4 + 24
    saved = arr.tobytes()
    want = R.run(before, [arr.buffer_info()[0], 0, 5, 0.25])
    after_ref = arr.tobytes()
    ctypes.memmove(arr.buffer_info()[0], saved, len(saved))
    got = _run_machine(target, after, [arr.buffer_info()[0], 0, 5, 0.25])
    assert got == (want.guard.snapshot.line, _key(want.values)) and arr.tobytes() == after_ref


# -- through the engine: listings, bridges, check_traces ----------------------------------
KERNEL = """
import array
def kernel(n, scale):
    a = array.array('d', [float(i % 7) for i in range(n)])
    b = array.array('l', [i * 3 for i in range(n)])
    s = 0.0
    t = 0
    for i in range(n):
        w = scale * scale + 1.0
        s += a[i] * w + a[i]
        t += (b[i] & 255) + n * 2
        if i % 5 == 0:
            t -= 1
        a[i] = s
    return s, t
r = kernel(3000, 1.5)
"""


@pytest.mark.parametrize("params", [{"threshold": 3, "check_traces": True},
                                    {"threshold": 3, "check_traces": True, "arch": "aarch64"},
                                    {"threshold": 3, "enable_opts": "fold:cse"}])
def test_peeled_kernel_with_a_bridge_matches_cpython(params):
    if params.get("arch") == "aarch64":
        pytest.importorskip("unicorn")
    out = assert_same(KERNEL, **params)
    kinds = [e.kind for e in out.events]
    assert "trace-compiled" in kinds and "bridge-compiled" in kinds


def test_listing_shows_each_pass_and_preamble_apart_from_body():
    run = jitnb.run(KERNEL, threshold=3)
    loop = next(lp for lp in run.loops if lp.compiled is not None)
    text = loop.listing()
    assert "-- optimisation passes" in text
    for name in ("fold:", "intbounds:", "cse:", "heap:", "dce:", "unroll:", "intbounds (peeled loop):"):
        assert f"\n{name}" in text, name
    assert "hoisted out of the loop: " in text and "float_mul" in text.split("hoisted", 1)[1]
    assert "== preamble" in text and "== loop body" in text
    assert text.index("== preamble") < text.index("== loop body")
    assert "~ " in text and "  - " in text          # something rewritten, something removed
    from jitnb.jit.listing import build
    page = build(loop).html()
    assert "optimisation passes" in page and "loop body" in page


def test_pass_log_names_values_once_across_passes():
    log = PassLog()
    optimize(parse(INTBOUNDS), ["intbounds", "dce"], log=log)
    diffs = log.diffs()
    assert [d.name for d in diffs] == ["intbounds", "dce"]
    assert "  ~ i5 = int_add_ovf(i0, 1)  =>  i5 = int_add(i0, 1)" in diffs[0].text()
    assert "  - i10 = int_eq(i9, 12)" in diffs[1].text()      # the same names after two passes
    assert diffs[0].ops_before == 19 and diffs[1].ops_after == 11


# -- random traces --------------------------------------------------------------------------
def _random_trace(rng, base: int, typecode: str):
    """A loop over i0 < i1 with random int/float arithmetic, overflow checks, comparisons
    with guards, and loads/stores at masked indices of one array."""
    lines = ["label(i0, i1, i2, i3, f4)", "i5 = int_lt(i0, i1)",
             "guard_true(i5) [snap 0: a=i0 b=i2 c=i3 x=f4 @line 1]"]
    ints, floats, k, line = ["i0", "i1", "i2", "i3"], ["f4"], 6, 2
    consts = ["0", "1", "-1", "3", "7", "255", str(MAX), str(-MAX - 1), "1000"]
    load = "getarrayitem_raw_f" if typecode in "fd" else "getarrayitem_raw_i"
    store = "setarrayitem_raw_f" if typecode in "fd" else "setarrayitem_raw_i"

    def snap():
        nonlocal line
        names = rng.sample(ints, min(3, len(ints))) + rng.sample(floats, 1)
        line += 1
        return (f" [snap {line}: " + " ".join(f"v{j}={v}" for j, v in enumerate(names))
                + f" @line {line}]")

    def arg(pool):
        return rng.choice(pool) if pool is floats or rng.random() < 0.75 else rng.choice(consts)

    for _ in range(rng.randint(4, 22)):
        r = rng.random()
        if r < 0.3:
            op = rng.choice(["int_add", "int_sub", "int_mul", "int_and", "int_or", "int_xor"])
            if op in ("int_add", "int_sub", "int_mul") and rng.random() < 0.6:
                lines.append(f"i{k} = {op}_ovf({arg(ints)}, {arg(ints)})")
                lines.append("guard_no_overflow()" + snap())
            else:
                lines.append(f"i{k} = {op}({arg(ints)}, {arg(ints)})")
            ints.append(f"i{k}")
        elif r < 0.4:
            lines.append(f"i{k} = {rng.choice(['int_mod', 'int_floordiv'])}("
                         f"{arg(ints)}, {rng.choice(['3', '7', '-5', '16'])})")
            ints.append(f"i{k}")
        elif r < 0.6:
            cmp = rng.choice(["int_lt", "int_le", "int_gt", "int_ge", "int_eq", "int_ne"])
            lines.append(f"i{k} = {cmp}({arg(ints)}, {arg(ints)})")
            lines.append(f"{rng.choice(['guard_true', 'guard_false'])}(i{k})" + snap())
            ints.append(f"i{k}")
        elif r < 0.7:
            lines.append(f"f{k} = {rng.choice(['float_add', 'float_mul', 'float_sub'])}("
                         f"{arg(floats)}, {rng.choice(floats + ['0.5', '2.0'])})")
            floats.append(f"f{k}")
        else:
            lines.append(f"i{k} = int_and({arg(ints)}, 7)")
            idx = f"i{k}"
            k += 1
            if rng.random() < 0.5:
                kind = "f" if typecode in "fd" else "i"
                lines.append(f"{kind}{k} = {load}({base}, {rng.choice([idx, '2'])})")
                (floats if kind == "f" else ints).append(f"{kind}{k}")
            else:
                v = rng.choice(floats) if typecode in "fd" else rng.choice(ints)
                lines.append(f"{store}({base}, {rng.choice([idx, '2'])}, {v})")
        k += 1
    lines.append(f"i{k} = int_add(i0, 1)")
    lines.append(f"jump(i{k}, i1, {rng.choice(ints)}, {rng.choice(ints)}, {rng.choice(floats)})")
    return "\n".join(lines)


@pytest.mark.parametrize("seed", range(8))
def test_random_traces_optimise_to_the_same_behaviour(seed):
    import random
    rng = random.Random(seed)
    for n in range(40):
        typecode = rng.choice("lqdfhB")
        init = [1.5, -2.0, 0.0, 3.25, 1e300, -0.0, 7.0, 2.5] if typecode in "fd" else \
            [1, -2, 0, 3, 100, 5, 7, 2] if typecode in "hB" else [1, -2, 0, MAX, 100, -MAX, 7, 2]
        if typecode == "B":
            init = [abs(x) for x in init]
        arr = array.array(typecode, init)
        text = _random_trace(rng, arr.buffer_info()[0], typecode)
        chain = rng.choice([Params().opts(), ["intbounds", "unroll"], ["heap", "unroll", "dce"],
                            rng.sample(PASSES, rng.randint(1, len(PASSES)))])
        before, after = opt(text, ":".join(chain), typecode)
        for inputs in ([0, 6, 3, -4, 0.5], [0, 3, MAX, 7, -1.0], [2, 12, -1, 255, 2.0]):
            check_same(before, after, inputs, [arr])


def test_random_peeled_traces_in_machine_code(target):
    import random
    rng = random.Random(1234)
    for n in range(15):
        typecode = rng.choice("ldh")
        init = [1.5, -2.0, 0.0, 3.25, 1e300, -0.0, 7.0, 2.5] if typecode == "d" else \
            [1, -2, 0, 3, 100, 5, 7, 2]
        arr = array.array(typecode, init)
        text = _random_trace(rng, arr.buffer_info()[0], typecode)
        before, after = opt(text, ":".join(Params().opts()), typecode)
        for inputs in ([0, 6, 3, -4, 0.5], [2, 12, -1, 255, 2.0]):
            saved = arr.tobytes()
            ex = R.run(before, list(inputs))
            want = (ex.guard.snapshot.line, _key(ex.values)), arr.tobytes()
            ctypes.memmove(arr.buffer_info()[0], saved, len(saved))
            got = _run_machine(target, after, inputs), arr.tobytes()
            assert got == want, f"{inputs}\n{print_trace(after)}"


def test_unroll_hoists_loads_the_loop_cannot_change():
    text = """
label(i0, i1, i2, i3, f4)
i5 = int_lt(i0, i1)
guard_true(i5) [snap 0: i=i0 s=f4 @line 1]
f6 = getarrayitem_raw_f(i2, 0)
f7 = getarrayitem_raw_f(i2, i0)
f8 = float_mul(f6, f7)
f9 = getarrayitem_raw_f(i3, 1)
f10 = float_add(f4, f8)
f11 = float_add(f10, f9)
setarrayitem_raw_f(i3, 0, f11)
i12 = int_add(i0, 1)
jump(i12, i1, i2, i3, f11)
"""
    a = array.array("d", [0.5, 1.5, 2.5, 3.5])
    b = array.array("d", [10.0, 20.0])
    before, after = opt(text, "unroll", "d")
    pre, body = print_trace(after).split("\nlabel(", 1)
    assert pre.endswith("jump(i12, i1, i2, i3, f11, f9)")     # y[1] is carried ...
    assert body.count("getarrayitem_raw_f") == 2 and "(i16, 1)" not in body   # ... not loaded
    # x[0] is loaded again: y[0] = ... may be x[0] (the same array twice)
    assert "f20 = getarrayitem_raw_f(i15, 0)" in body
    for other, n in ((b, 4), (a, 4), (a, 1)):      # the same array twice: b[0] is a[0]
        check_same(before, after, [0, n, a.buffer_info()[0], other.buffer_info()[0], 0.0], [a, b])


CONV = """
label(i0, i1, i2, i3, i4)
i5 = int_lt(i0, i1)
guard_true(i5) [snap 0: i=i0 @line 1]
f6 = getarrayitem_raw_f(i2, 0)
f7 = getarrayitem_raw_f(i3, i0)
f8 = float_mul(f6, f7)
f9 = getarrayitem_raw_f(i2, 1)
f10 = float_add(f8, f9)
setarrayitem_raw_f(i4, i0, f10)
i11 = int_add(i0, 1)
jump(i11, i1, i2, i3, i4)
"""


def test_unroll_tells_array_buffers_apart_with_a_preamble_guard():
    before = parse(CONV, "d")
    before.buffers = frozenset({2, 3, 4})        # i2, i3, i4 start array buffers
    after = optimize(before, ["unroll", "dce"])
    verify(after)
    pre, body = print_trace(after).split("\nlabel(", 1)
    assert pre.split("\n")[1:4] == ["i5 = int_ne(i2, i4)",
                                    "guard_true(i5) [snap 0: i=i0 @line 1]",
                                    "i6 = int_lt(i0, i1)"]
    assert body.count("getarrayitem_raw_f") == 1             # only x[i]; k[0], k[1] carried
    k = array.array("d", [2.0, 0.5, 9.0])
    x = array.array("d", [1.0, 2.0, 3.0, 4.0])
    y = array.array("d", [0.0] * 4)
    for out in (y, k, x):          # writing into k itself: the guard fails at once
        ex = check_same(before, after, [0, 3, k.buffer_info()[0], x.buffer_info()[0],
                                        out.buffer_info()[0]], [k, x, y])
        assert (ex[0][1] == 0) == (out is k)
    unknown = optimize(parse(CONV, "d"), ["unroll"])         # bases not known to be buffers
    assert "int_ne" not in print_trace(unknown)
    assert print_trace(unknown).split("\nlabel(", 1)[1].count("getarrayitem_raw_f") == 3


ALIASING = """
import array
def conv(k, a, out, rounds):
    for r in range(rounds):
        for i in range(len(a) - 2):
            out[i] = k[0] * a[i] + k[1] * a[i + 1] + k[2] * a[i + 2]
    return out[len(out) // 2]
k = array.array('d', [0.25, 0.5, 0.25])
a = array.array('d', [float(i % 13) for i in range(300)])
b = array.array('d', [0.0] * 300)
r1 = conv(k, a, b, 3)
c = array.array('d', [0.5, 0.25, 0.125] + [1.0] * 297)
r2 = conv(c, c, c, 3)              # k, a and out the same array: k changes as it runs
r3 = conv(k, a, b, 2)
print(r1, r2, r3, sum(c), sum(b))
"""


@pytest.mark.parametrize("params", [{"threshold": 3, "check_traces": True},
                                    {"threshold": 3, "check_traces": True, "arch": "aarch64"},
                                    {}])
def test_aliased_arrays_leave_by_the_preamble_guard(params):
    if params.get("arch") == "aarch64":
        pytest.importorskip("unicorn")
    assert_same(ALIASING, **params)
