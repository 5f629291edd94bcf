"""Residual calls (``call_py``): the op on every backend target, and end to end.

Backend tests run hand-written traces whose ``call_py`` calls a Python function, on
each target, against the reference interpreter; end-to-end tests compare programs
under CPython and jitnb (every parameter set of the corpus) and check that the loop
really runs as machine code with the call in it, and that no call is ever repeated.
"""
from __future__ import annotations

import math
import sys
import types
from pathlib import Path

import pytest

import jitnb
from jitnb.jit.backend import compile_trace
from jitnb.jit.ir import interp
from jitnb.jit.ir.trace import parse_trace, print_trace, verify
from jitnb.jit.trace import residual as R

sys.path.insert(0, str(Path(__file__).resolve().parent))
from backend_targets import target  # noqa: E402,F401
from difftest import assert_same  # noqa: E402
from test_backend import Compiled  # noqa: E402

UNIT = types.SimpleNamespace(filename="<residual>", name="f", qualname="f", firstlineno=1)


def site(fn, parts, namespace=None):
    return R.ResidualCall(fn, fn.__name__, parts, (), UNIT, R.World(namespace or {}), {})


def trace(text, calls):
    """Parse; raw loads from a call site's buffer read 64-bit slots."""
    t = parse_trace(text, calls)
    for op in t.ops:
        if op.name.startswith("getarrayitem_raw"):
            op.descr = "d" if op.kind == "f" else "q"
    verify(t)
    return t


# -- the op on the machine ---------------------------------------------------------------
def test_call_py_on_every_target(target):
    """Arguments of both kinds reach the callee; the status and the unboxed results come
    back; values live across the call survive it (the callee runs Python code)."""
    seen = []

    def mix(a, x, flag):
        seen.append((a, x, flag))
        if a == 13:
            return "thirteen"
        return a * x if flag else a - x

    d = site(mix, [(int,), (float,), (bool,)])
    out = d.out_address
    text = f"""
label(i0, f1, i2)
i3 = int_add(i0, 7)
f4 = float_mul(f1, 2.0)
i5 = call_py(mix, i0, f1, i2)
guard_value(i5, 1) [snap 0: a=i0 s=i5 @line 1]
f6 = getarrayitem_raw_f({out}, 0)
f7 = float_add(f6, f4)
i8 = int_add(i3, i0)
guard_false(1) [snap 1: r=f7 k=i8 x=f4 @line 2]
jump(i0, f1, i2)
"""
    c = Compiled(target, trace(text, {"mix": d}))
    try:
        for a, x, flag in [(3, 1.5, 1), (-4, 0.25, 0), (2 ** 40, -3.0, 1), (13, 1.0, 0)]:
            seen.clear()
            exit, values = c.native((a, x, flag))
            assert seen == [(a, x, bool(flag))]          # one call, boxed as declared
            if a == 13:      # a str: the status guard fails, the object is kept
                assert exit == 0 and values["s"] == R.OBJECT and d.kept == (R.OBJECT, "thirteen")
                continue
            want = (a * x if flag else a - x) + 2 * x
            assert exit == 1 and values == {"r": want, "k": 2 * a + 7, "x": 2 * x}
            ref = c.reference((a, x, flag))
            assert ref[0] == 1 and ref[1]["r"] == want
    finally:
        c.free()


def test_call_py_exception_and_globals_written_back(target):
    ns = {"g": 0}

    def bump(k):
        ns["log"] = ns["g"]
        ns["g"] = ns["g"] + k
        if k < 0:
            raise KeyError(k)
        return k * 0.5

    d = site(bump, [(int,)], ns)
    d.add_writeback("g", int, "i")
    j = d.add_reread("g", int)
    text = f"""
label(i0, i1)
i2 = call_py(bump, i0, i1)
guard_value(i2, 1) [snap 0: k=i0 @line 1]
i3 = getarrayitem_raw_i({d.out_address}, {j})
guard_false(1) [snap 1: g=i3 @line 2]
jump(i0, i1)
"""
    c = Compiled(target, trace(text, {"bump": d}))
    try:
        assert c.native((5, 100)) == (1, {"g": 105})
        assert ns["log"] == 100                     # the trace's value was written back first
        exit, _ = c.native((-2, 7))
        assert exit == 0 and d.kept[0] == R.RAISED and isinstance(d.kept[1], KeyError)
        assert ns["g"] == 5                         # the call happened once, then the exit
        ns["g"] = 2.5                               # a global changing type: the trace exits
        d2 = site(lambda k: k, [(int,)], ns)
        d2.reread.append(("g", int))
        assert d2.invoke([1]) == R.INT | R.CHANGED
    finally:
        c.free()


def test_text_form_round_trip_and_listing_name():
    d = site(math.gcd, [(int,), (int,)])
    text = ("label(i0, i1)\ni2 = call_py(gcd, i0, i1)\n"
            "guard_value(i2, 0) [snap 0: a=i0 @line 1]\n"
            f"i3 = getarrayitem_raw_i({d.out_address}, 0)\n"
            "guard_false(1) [snap 1: r=i3 @line 2]\njump(i0, i1)")
    t = trace(text, {"gcd": d})
    assert print_trace(t) == text
    ex = interp.run(t, [12, 18])
    assert ex.values == {"r": 6}
    for arch in ("x86_64", "aarch64"):
        img = compile_trace(t, arch)
        assert img.call_kinds == ["ii"] and img.call_sites[0][1] is d


def test_replay_compares_arguments():
    d = site(math.gcd, [(int,), (int,)])
    with R.logging([]) as log:
        R._dispatch(_buffer(d, [12, 18]))
    assert d.calls == 1
    with R.replaying(log):
        assert d.reference_call([12, 18]) == R.INT
    assert d.calls == 1                             # replayed, not called again
    with R.logging([]) as log:
        R._dispatch(_buffer(d, [4, 6]))
    with R.replaying(log), pytest.raises(AssertionError, match="differ"):
        d.reference_call([4, 7])


def _buffer(d, values):
    for k, v in enumerate(values):
        d.buffer[1 + k] = v
    return d.buffer_address


# -- end to end ----------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def _every_residual_call_compiled():
    """These tests are about the mechanism: no loop is left to CPython for being call-bound
    (``residual_call_ops`` is tested on its own below)."""
    old = jitnb.params.get()
    jitnb.params.set(residual_call_ops=0)
    yield
    jitnb.params.set(residual_call_ops=old.residual_call_ops)


PARAMS = {
    "native-checked": {"threshold": 1, "check_traces": True},
    "default": {},
    "x86-unicorn": {"threshold": 1, "emulate": True, "check_traces": True},
    "aarch64": {"threshold": 1, "arch": "aarch64", "check_traces": True},
}

GCD = """
import math
def go(n):
    t = 0
    for i in range(n):
        t += math.gcd(i, 360) + len("abc")
    return t
r = go(3000)
"""
COUNTED = """
import functools
calls = 0
def tick_(x):
    global calls
    calls += 1
    if x == 77:
        raise ValueError(x)
    return None if x % 5 else "five"
tick = functools.partial(tick_)        # not inlined: a residual call
def go():
    seen = 0
    for i in range(100):
        if tick(i) is None:
            seen += 1
    return seen
try:
    go()
except ValueError as e:
    err = repr(e)
"""


@pytest.mark.parametrize("pid", sorted(PARAMS))
@pytest.mark.parametrize("src", [GCD, COUNTED], ids=["gcd", "counted"])
def test_same_as_cpython(src, pid):
    assert_same(src, **PARAMS[pid])


def test_loop_with_calls_runs_as_machine_code():
    ns: dict = {}
    run = jitnb.run(GCD, ns, threshold=1, check_traces=True)
    (loop,) = [l for l in run.loops if l.compiled is not None]
    assert loop.abort_reasons == []
    text = loop.listing()
    assert "call_py(gcd, " in text and "call_py(len)" in text
    assert loop.compiled.iterations > 2900          # the loop ran as machine code
    checked = loop.compiled.executor.checked
    assert checked >= 1                             # and the oracle replayed its calls


def test_each_call_happens_once():
    ns: dict = {}
    run = jitnb.run(COUNTED, ns, threshold=1, check_traces=True)
    assert ns["calls"] == 78 and ns["err"] == "ValueError(77)"
    loop = next(l for l in run.loops if l.compiled is not None)
    assert "call_py(partial, " in loop.listing()


def test_non_number_result_is_not_traced():
    src = "def f(i):\n    return str(i)\nfor i in range(50):\n    s = f(i)\n"
    run = jitnb.run(src, {}, threshold=1)
    assert "returning str" in run.loops[0].abort_reasons[0]


def test_resized_array_leaves_the_trace():
    src = """
from array import array
data = array("q", [1, 2, 3])
def grow(k):
    if k == 60:
        data.extend(range(5000))
    return 1
def go(a):
    s = 0
    for i in range(200):
        s += a[i % 3] + grow(i)
        a[i % 3] = s % 1000
    return s
r = go(data)
n = len(data)
"""
    for pid in sorted(PARAMS):
        assert_same(src, **PARAMS[pid])


RESIDUAL_CORPUS = sorted(p.name for p in (Path(__file__).resolve().parent / "corpus")
                         .glob("[0-9][0-9][0-9]_residual_*.py"))


@pytest.mark.parametrize("name", RESIDUAL_CORPUS)
@pytest.mark.parametrize("params", [{"threshold": 1}, {"threshold": 1, "emulate": True}],
                         ids=["native", "unicorn"])
def test_unchecked_fast_path(name, params):
    """Without the checker the callback takes each site's specialised path."""
    src = (Path(__file__).resolve().parent / "corpus" / name).read_text()
    assert_same(src, **params)


def test_fast_path_is_what_runs_unchecked():
    ns: dict = {}
    before = set(R._SITES)
    jitnb.run(GCD.replace("3000", "3001"), ns, threshold=1)   # a cell of its own (no cache)
    sites = [s for a, s in R._SITES.items() if a not in before and s.name == "gcd"]
    assert [s.calls for s in sites] == [2999]
    assert sites and all(s.fast is not None for s in sites)


# -- residual calls in traces that hold the GIL (lists) ------------------------------------
LIST_CALLS = {
    "iterate": """
import math
xs = [float(i) * 0.5 for i in range(400)]
def go(xs):
    s = 0.0
    for x in xs:
        s += math.gcd(int(x), 12) + x
    return s
r = go(xs)
""",
    "append_store": """
import random
random.seed(3)
def go(out):
    for i in range(300):
        out.append(i * 2)
        out[i] = out[i] + int(random.random() * 10)
    return out
r = sum(go([]))
""",
    "item_list_held": """
import functools
data = [[i, i] for i in range(50)]
def wipe_(k):
    if k == 30:
        data.clear()
    return k
wipe = functools.partial(wipe_)
def go(a):
    t = 0
    for i in range(len(a)):
        row = a[i]
        wipe(i)
        t += row[0]
    return t
try:
    r = go(data)
except IndexError as e:
    r = repr(e)
""",
    "global_list_rebound": """
import functools
G = [1, 2, 3]
def swap_(k):
    global G
    if k % 7 == 0:
        G = [k, k, k]
    return k
swap = functools.partial(swap_)
def go():
    t = 0
    for i in range(200):
        swap(i)
        t += G[1]
    for i in range(200):
        t += G[2]
        swap(i)
    return t
r = go()
""",
}


@pytest.mark.parametrize("pid", sorted(PARAMS))
@pytest.mark.parametrize("name", sorted(LIST_CALLS))
def test_list_loops_with_calls_same_as_cpython(name, pid):
    """A trace that holds the GIL calls back into Python (the callback's PyGILState is
    re-entrant); a callee may empty a list whose item the trace holds."""
    assert_same(LIST_CALLS[name], **PARAMS[pid])


@pytest.mark.parametrize("arch", [{}, {"emulate": True}, {"arch": "aarch64"}],
                         ids=["native", "x86-unicorn", "aarch64"])
def test_list_loop_with_call_holds_the_gil(arch):
    for name in ("iterate", "append_store"):
        run = jitnb.run(LIST_CALLS[name], {}, threshold=1, **arch)
        (loop,) = [l for l in run.loops if l.compiled is not None]
        assert loop.compiled.recorded.holds_gil
        assert "call_py(" in loop.listing() and loop.compiled.iterations > 250


def test_item_list_held_across_a_call_is_not_traced():
    run = jitnb.run(LIST_CALLS["item_list_held"], {}, threshold=1)
    (loop,) = run.loops
    assert loop.compiled is None
    assert any("may be freed" in r for r in loop.abort_reasons)


def test_optimiser_never_hoists_or_caches_across_call_py():
    """``call_py`` is an opaque call: the heap pass forgets what it knew, and peeling
    neither hoists the call nor the loads of its results (same place every iteration)."""
    from jitnb.jit.ir import ops as O
    from jitnb.jit.opt import optimize
    from jitnb.jit.opt.heap import OPAQUE
    assert O.CALL_PY in OPAQUE and not O.OPS[O.CALL_PY].pure
    d = site(math.gcd, [(int,), (int,)])
    out = d.out_address
    text = f"""
label(i0, i1)
i2 = getarrayitem_raw_i({out}, 1)
i3 = call_py(gcd, i1, 6)
guard_value(i3, 0) [snap 0: a=i0 @line 1]
i4 = getarrayitem_raw_i({out}, 0)
i5 = getarrayitem_raw_i({out}, 1)
i6 = int_add(i4, i5)
i7 = int_add(i6, i2)
i8 = int_add(i0, i7)
i9 = int_gt(i8, 100)
guard_false(i9) [snap 1: a=i8 @line 2]
jump(i8, i1)
"""
    t = trace(text, {"gcd": d})
    after = optimize(t, ["fold", "intbounds", "cse", "heap", "dce", "virtualize", "unroll"])
    verify(after)
    ops = after.ops
    second = after.loop_index()
    assert second > 0                                           # peeled
    body = ops[second:]
    assert sum(op.num == O.CALL_PY for op in ops[:second]) == 1
    assert sum(op.num == O.CALL_PY for op in body) == 1       # called every iteration
    call = next(k for k, op in enumerate(body) if op.num == O.CALL_PY)
    loads = [k for k, op in enumerate(body) if op.num == O.GETARRAYITEM_RAW_I]
    assert len(loads) == 3 and sum(k > call for k in loads) == 2   # read again after it
    assert interp.run(after, [0, 18]).values == interp.run(t, [0, 18]).values


def test_call_bound_loops_are_left_to_cpython():
    """With the default ``residual_call_ops`` a loop that is little more than its call runs
    as CPython (the reason recorded); with enough work per call it is compiled."""
    jitnb.params.set(residual_call_ops=150)
    run = jitnb.run(GCD, {}, threshold=1)
    assert not [l for l in run.loops if l.compiled is not None]
    assert any("residual call(s)" in r for l in run.loops for r in l.abort_reasons)
    line = '        t += math.gcd(i, 360) + len("abc")\n'
    assert line in GCD
    heavy = GCD.replace(line, line + "".join(f"        t += (i * {k}) % 7\n" for k in range(80)))
    ns: dict = {}
    run = jitnb.run(heavy, ns, threshold=1)
    assert [l for l in run.loops if l.compiled is not None]
    ref: dict = {}
    exec(heavy, ref)
    assert ns["r"] == ref["r"]
