"""The IR table, the canonical text form, the verifier, the reference interpreter and passes."""
import math

import pytest

from jitnb.jit.ir import interp as R
from jitnb.jit.ir import ops as O
from jitnb.jit.ir.trace import parse_trace, print_trace, verify
from jitnb.jit.opt import optimize


def test_table_invariants():
    assert [d.num for d in O.OPS] == list(range(len(O.OPS)))
    assert all(O.is_guard(d.num) == d.name.startswith("guard_") for d in O.OPS)
    for d in O.OPS:
        rel = d.name.rsplit("_", 1)[-1]
        if rel in ("lt", "ge", "le", "gt", "eq", "ne") and d.name.startswith(("int_", "float_")):
            inv = O.OPS[O.invert_comparison(d.num)].name
            pairs = {"lt": "ge", "ge": "lt", "le": "gt", "gt": "le", "eq": "ne", "ne": "eq"}
            assert inv == d.name.rsplit("_", 1)[0] + "_" + pairs[rel]
            assert O.swap_comparison(O.swap_comparison(d.num)) == d.num
    # every pure op has reference semantics
    for d in O.OPS:
        if (d.pure and not d.is_call) or d.overflow:
            assert d.num in R.PURE or d.num in R.OVF, d.name


LOOP = """
label(i0, i1, f2)
i3 = int_add_ovf(i0, 1)
guard_no_overflow() [snap 0: i=i0 n=i1 x=f2 @line 3]
i4 = int_lt(i3, i1)
guard_true(i4) [snap 1: i=i3 n=i1 x=f2 @line 2]
f5 = float_mul(f2, 1.5)
jump(i3, i1, f5)
"""


def test_print_parse_round_trip():
    t = parse_trace(LOOP)
    verify(t)
    text = print_trace(t)
    assert text == LOOP.strip()
    assert print_trace(parse_trace(text)) == text


def test_reference_interpreter_runs_loop_until_guard():
    t = parse_trace(LOOP)
    ex = R.run(t, [0, 10, 1.0])
    assert ex.index == 1 and ex.values == {"i": 10, "n": 10, "x": 1.5 ** 9}
    assert ex.iterations == 9


def test_overflow_guard_and_wrapping():
    t = parse_trace("label(i0)\ni1 = int_mul_ovf(i0, i0)\nguard_no_overflow() [snap 0: a=i0 @line 1]\njump(i1)")
    ex = R.run(t, [3])
    assert ex.values == {"a": 3 ** 32} and ex.iterations == 5
    assert R.evaluate(O.INT_ADD, [2 ** 63 - 1, 1]) == -(2 ** 63)


def test_float_semantics():
    assert R.evaluate(O.FLOAT_LT, [math.nan, 1.0]) == 0
    assert R.evaluate(O.FLOAT_NE, [math.nan, math.nan]) == 1
    assert R.evaluate(O.INT_FLOORDIV, [-7, 2]) == -4 and R.evaluate(O.INT_MOD, [-7, 2]) == 1
    assert R.evaluate(O.INT_RSHIFT, [-8, 100]) == -1


@pytest.mark.parametrize("bad", [
    "label(i0)\ni1 = int_add(i0, 1.5)\njump(i1)",
    "label(i0)\ni1 = int_add_ovf(i0, 1)\njump(i1)",
    "label(i0)\nguard_true(i0)\njump(i0)",
    "label(i0)\nf1 = cast_int_to_float(i0)\njump(f1)",
])
def test_verifier_rejects(bad):
    with pytest.raises(AssertionError):
        verify(parse_trace(bad))


def _opt(text, chain):
    t = parse_trace(text)
    out = optimize(t, chain)
    verify(out)
    return print_trace(out)


def test_fold_constants_and_identities():
    before = """
label(i0)
i1 = int_add(2, 3)
i2 = int_mul(i0, i1)
i3 = int_add(i2, 0)
i4 = int_add_ovf(i3, 0)
guard_no_overflow() [snap 0: a=i3 @line 1]
i5 = int_lt(1, 2)
guard_true(i5) [snap 1: a=i4 @line 2]
jump(i4)
"""
    after = """
label(i0)
i1 = int_mul(i0, 5)
jump(i1)
"""
    assert _opt(before, ["fold"]) == after.strip()


def test_cse_and_repeated_guards():
    before = """
label(i0, i1)
i2 = int_add(i0, i1)
i3 = int_add(i1, i0)
i4 = int_lt(i2, 100)
guard_true(i4) [snap 0: a=i0 @line 1]
i5 = int_lt(i3, 100)
guard_true(i5) [snap 1: a=i0 @line 2]
jump(i3, i2)
"""
    after = """
label(i0, i1)
i2 = int_add(i0, i1)
i3 = int_lt(i2, 100)
guard_true(i3) [snap 0: a=i0 @line 1]
jump(i2, i2)
"""
    assert _opt(before, ["cse", "guards"]) == after.strip()


def test_optimised_traces_agree_with_reference():
    t = parse_trace(LOOP)
    o = optimize(t, ["fold", "cse", "guards"])
    for inputs in ([0, 10, 1.0], [5, 7, -2.5], [2 ** 63 - 2, 2 ** 63 - 1, 0.0]):
        a, b = R.run(t, inputs), R.run(o, inputs)
        assert (a.index, a.values, a.iterations) == (b.index, b.values, b.iterations)
