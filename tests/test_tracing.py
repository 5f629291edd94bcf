"""The tracing JIT end to end: record, compile, run, deopt at every guard kind, aborts."""
import contextlib
import io
import math
import sys
from pathlib import Path

import pytest

import jitnb
from jitnb.jit.ir import interp as R
from jitnb.jit.ir import ops as O
from jitnb.jit.ir.trace import print_trace, verify

sys.path.insert(0, str(Path(__file__).parent))
from difftest import assert_same  # noqa: E402


def _both(src, **params):
    out1, out2 = io.StringIO(), io.StringIO()
    ns1: dict = {"math": math}
    ns2: dict = {"math": math}
    err1 = err2 = None
    with contextlib.redirect_stdout(out1):
        try:
            exec(compile(src, "<p>", "exec"), ns1)
        except Exception as e:  # noqa: BLE001
            err1 = (type(e), str(e))
    with contextlib.redirect_stdout(out2):
        try:
            params.setdefault("check_traces", True)
            run = jitnb.run(src, ns2, **params)
        except Exception as e:  # noqa: BLE001
            err2 = (type(e), str(e))
            run = None
    assert out1.getvalue() == out2.getvalue()
    assert err1 == err2
    for k, v in ns1.items():
        if not k.startswith("__") and not callable(v) and k != "math":
            assert repr(ns2[k]) == repr(v), k
    return run


PROGRAMS = {
    "int_sum": "def f(n):\n    s = 0\n    for i in range(n):\n        s += i\n    return s\nr = f(1000)\n",
    "while_int": "i = 0\nt = 0\nwhile i < 500:\n    t = t + i * 3 - 1\n    i += 1\n",
    "overflow_to_bigint": "def f():\n    x = 1\n    for i in range(100):\n        x = x * 3 + i\n    return x\nr = f()\n",
    "float_newton": ("def sqrt(x):\n    g = x / 2.0\n    k = 0\n    while k < 30:\n        g = (g + x / g) / 2.0\n"
                     "        k += 1\n    return g\nr = [sqrt(float(v)) for v in range(1, 50)]\n"),
    "branches": ("def f(n):\n    a = b = 0\n    for i in range(n):\n        if i % 3 == 0:\n            a += i\n"
                 "        elif i % 3 == 1:\n            b -= i\n        else:\n            a, b = b, a\n    return a, b\nr = f(300)\n"),
    "zero_division_in_loop": "def f():\n    t = 0\n    for i in range(50, -1, -1):\n        t += 100 // i\n    return t\nr = f()\n",
    "float_div_zero": "t = 0.0\nfor i in range(40):\n    t += 1.0 / (i - 30.0)\n",
    "mixed_types_change": "x = 0\nfor i in range(100):\n    x = x + 1\n    if i == 50:\n        x = x + 0.5\n",
    "math_calls": "s = 0.0\nfor i in range(200):\n    s += math.sin(i * 0.1) + math.sqrt(i) + abs(-i) + int(i * 0.7)\n",
    "math_domain_error": "s = 0.0\nfor i in range(50):\n    s += math.sqrt(20 - i)\n",
    "negative_step": "t = 0\nfor i in range(100, 0, -3):\n    t += i * i\n",
    "bools": "c = 0\nfor i in range(100):\n    b = i > 50\n    c += b\n    f = not b\n",
    "shifts": "t = 0\nfor i in range(70):\n    t ^= (1 << (i % 64)) >> 3\n",
    "big_shift": "t = 1\nfor i in range(70):\n    t = (t << 1) | 1\n",
    "mandel": ("def m(w, h):\n    c = 0\n    for y in range(h):\n        for x in range(w):\n            cr = 2.0 * x / w - 1.5\n"
               "            ci = 2.0 * y / h - 1.0\n            zr = zi = 0.0\n            k = 0\n"
               "            while k < 50 and zr * zr + zi * zi < 4.0:\n                zr, zi = zr * zr - zi * zi + cr, 2.0 * zr * zi + ci\n"
               "                k += 1\n            c += k\n    return c\nr = m(30, 20)\n"),
    "globals_rebound": "g = 2\ndef f(n):\n    s = 0\n    for i in range(n):\n        s += g\n    return s\na = f(100)\ng = 5\nb = f(100)\n",
    "print_in_loop": "for i in range(30):\n    if i % 10 == 0:\n        print(i, i * 0.5)\n",
    "nan_compare": "n = 0\nx = float('nan')\nfor i in range(60):\n    if x < i or x == x:\n        n += 1\n",
    "int_min_neg": "v = -2**63\nfor i in range(5):\n    w = -v\n    v = -2**63\n",
}


@pytest.mark.parametrize("name", sorted(PROGRAMS))
@pytest.mark.parametrize("threshold", [1, 2, 7])
def test_programs_match_cpython(name, threshold):
    _both(PROGRAMS[name], threshold=threshold)


def test_loop_is_compiled_and_guards_counted():
    run = _both(PROGRAMS["branches"], threshold=5)
    kinds = [e.kind for e in run.events]
    assert "trace-compiled" in kinds and "native-enter" in kinds and "guard-failed" in kinds
    loop = run.loops[0]
    assert loop.compiled is not None and loop.compiled.entries > 50
    assert loop.compiled.iterations > 50 and sum(e.iterations for e in run.events if e.kind == 'native-leave') == loop.compiled.iterations
    assert sum(g.failures for g in loop.compiled.guards) == loop.compiled.entries


def test_compiled_traces_verify_and_agree_with_reference():
    run = _both(PROGRAMS["float_newton"], threshold=3)
    c = run.loops[0].compiled
    verify(c.trace)
    verify(c.recorded.trace)
    inputs = [4.0, 2.0, 3]  # g, x, k  (order of the recorded inputs)
    specs = [s.loc.name(run.loops[0].unit.code) for s in c.recorded.inputs]
    vals = {"g": 2.0, "x": 4.0, "k": 3, "#iter": 0}
    inputs = [vals[n] for n in specs]
    a, b = R.run(c.recorded.trace, inputs), R.run(c.trace, inputs)
    assert (a.index is not None) and a.values == b.values and a.iterations == b.iterations
    assert "float_truediv" in print_trace(c.trace)


def test_abort_reasons_and_blacklist():
    src = "L = []\nfor i in range(100):\n    L.insert(0, i)\n"
    run = _both(src, threshold=2)
    aborts = [e for e in run.events if e.kind == "trace-abort"]
    assert aborts and aborts[0].reason == "attribute 'insert' of list: NYI" and aborts[0].line == 3
    assert any(e.kind == "blacklisted" for e in run.events)


def test_listing_links_source_ir_guards_and_machine_code():
    src = "def f(n):\n    s = 0\n    for i in range(n):\n        if i % 3 == 0:\n            s += i\n    return s\nr = f(1000)\n"
    run = jitnb.run(src, threshold=10)
    text = run.loops[0].listing()
    assert "-- source" in text and "    4 |         if i % 3 == 0:" in text
    assert "IR before optimisation" in text and "guard_false(" in text and "failed" in text
    from jitnb.jit.backend import host_arch
    if run.loops[0].compiled.executor.name.endswith("native"):
        assert host_arch() == "x86_64" and ("jge" in text or "jl" in text)
    from jitnb.widgets import run_html
    page = run_html(run)
    assert "jitnb-l" in page and "machine code" in page and "guard" in page


def test_bridges_keep_branchy_loops_compiled():
    src = PROGRAMS["branches"].replace("r = f(300)", "r = f(3000)")
    run = _both(src, threshold=10, trace_eagerness=5)
    c = run.loops[0].compiled
    kinds = [e.kind for e in run.events]
    if "bridge-compiled" in kinds:
        assert len(c.bridges) == 2 and c.entries < 50
    else:  # the executor cannot attach bridges yet: the reason is recorded
        assert any(e.kind == "trace-abort" and "bridge" in e.reason for e in run.events)
    ref = _both(src, threshold=10, trace_eagerness=5, emulate=True)
    rc = ref.loops[0].compiled
    assert len(rc.bridges) == 2 and rc.entries < 50


def test_user_exception_during_recording_is_the_users():
    src = "def f():\n    t = 0\n    for i in range(10):\n        t += 10 // (i - 3)\n    return t\nf()\n"
    _both(src, threshold=2)


INLINE = """
def clamp(v, lo=0, hi=100):
    if v < lo:
        return lo
    if v > hi:
        return hi
    return v
def step(a, b):
    return clamp(a * 3 - b, hi=250) + 1
def k(n):
    s = 0
    for i in range(n):
        s = step(s, i % 7)
    return s
r = k(5000)
"""


@pytest.mark.parametrize("threshold", [1, 5, 200])
def test_calls_are_inlined_with_bridges_inside_them(threshold):
    run = _both(INLINE, threshold=threshold, trace_eagerness=3)
    loop = run.loops[-1]
    c = loop.compiled
    assert c is not None
    text = print_trace(c.trace)
    assert "call" not in text.replace("call_f", "")  # no residual call: the bodies are inlined
    assert "1:v=" in text or "2:v=" in text           # snapshots name the inlined frames
    assert c.entries < 200 and (c.bridges or c.entries <= 2)


def test_exception_deep_in_inlined_calls_shows_every_frame():
    src = ("def inner(x):\n    return 100 // (x - 250)\n\ndef middle(x):\n    return inner(x) + 1\n\n"
           "def k():\n    t = 0\n    for i in range(400):\n        t += middle(i)\n    return t\n")
    ns: dict = {}
    jitnb.run(src, ns, filename="<deep>", threshold=3)
    with pytest.raises(ZeroDivisionError) as e:
        ns["k"]()
    entries = []
    tb = e.value.__traceback__
    while tb:
        entries.append((tb.tb_frame.f_code.co_name, tb.tb_lineno))
        tb = tb.tb_next
    assert entries[-3:] == [("k", 10), ("middle", 5), ("inner", 2)]


def test_min_max_follow_cpython_choice_rules():
    src = ("t = 0.0\nn = 0\nnan = float('nan')\nfor i in range(300):\n    x = (i % 17) - 8\n"
           "    t += min(x, 3, i % 5) + max(x * 0.5, -1) + max(nan, x) * 0 + min(float(x), nan) * 0\n"
           "    n += max(i, True) - min(False, x)\n")
    run = _both(src, threshold=3, trace_eagerness=2)
    assert run.loops[0].compiled is not None


def test_trace_checker_compares_machine_code_with_the_reference(monkeypatch):
    from jitnb.jit.backend import machine
    src = "def f(n):\n    s = 0\n    for i in range(n):\n        s += i\n    return s\nr = f(3000)\n"
    run = _both(src, threshold=5)
    ex = run.loops[0].compiled.executor
    if not hasattr(ex, "machine"):
        pytest.skip("no machine code on this host")
    assert ex.checked >= 1
    real = machine.NativeExecutor.execute

    def corrupt(self, inputs):
        index, values, n = real(self, inputs)
        return index, [v + 1 if isinstance(v, int) else v for v in values], n
    monkeypatch.setattr(machine.NativeExecutor, "execute", corrupt)
    with pytest.raises(AssertionError, match="machine code and reference interpreter differ"):
        jitnb.run(src.replace("3000", "3001"), {}, threshold=5, check_traces=True)


def test_same_trace_side_by_side_for_both_architectures():
    from jitnb.jit.listing import side_by_side
    run = _both("def f(n):\n    s = 0.0\n    for i in range(n):\n        s += i * 0.5\n    return s\nr = f(400)\n",
                threshold=5)
    pair = side_by_side(run.loops[0])
    assert pair.instructions["x86_64"] > 5 and pair.instructions["aarch64"] > 5
    assert all(n > 0 for n in pair.code_bytes.values())
    text = run.loops[0].compare_arches()
    assert "fmul" in text and "mulsd" in text and "| " in text
    from jitnb.widgets import run_html
    assert "both architectures" in run_html(run, compare=True)


ARRAYS = """
from array import array
def conv3(a, k, out):
    n = len(a)
    for i in range(1, n - 1):
        out[i] = k[0] * a[i - 1] + k[1] * a[i] + k[2] * a[i + 1]
    return out
def isum(v):
    s = 0
    for i in range(len(v)):
        s += v[i]
        v[i] = (v[i] * 3) % 100
    return s
a = array('d', [float(i % 13) for i in range(2000)])
k = array('d', [0.25, 0.5, 0.25])
r1 = list(conv3(a, k, array('d', [0.0]) * 2000))
v = array('i', range(1000))
r2 = isum(v), list(v[:10])
b = array('b', [120] * 300)
try:
    for i in range(len(b)):
        b[i] = b[i] + i // 40
except OverflowError as e:
    r3 = (str(e), i, list(b[:8]))
w = array('f', [0.1] * 50)
for i in range(60):
    w[i % 50] = w[i % 50] * 1.5 + i
r4 = list(w)
idx = array('q', [5, 7, -1])
t = 0
try:
    for j in range(500):
        t += idx[j % 4]
except IndexError as e:
    r5 = (str(e), j, t)
"""


@pytest.mark.parametrize("params", [{"threshold": 3}, {"threshold": 3, "arch": "aarch64"}])
def test_array_loads_and_stores_in_traces(params):
    run = _both(ARRAYS, **params)
    compiled = [l for l in run.loops if l.compiled is not None]
    assert len(compiled) >= 3
    text = "\n".join(print_trace(l.compiled.trace) for l in compiled)
    assert "getarrayitem_raw_f" in text and "setarrayitem_raw_i" in text


def test_for_loops_over_arrays():
    src = ("from array import array\n"
           "def total(xs):\n    s = 0.0\n    for x in xs:\n        s += x * 0.5\n    return s\n"
           "def nested(rows, xs):\n    t = 0\n    for r in range(rows):\n        for x in xs:\n            t += x + r\n    return t\n"
           "a = array('d', [i * 0.25 for i in range(3000)])\nb = array('h', range(-50, 50))\n"
           "r = total(a), nested(300, b)\n"
           "acc = 0\nfor v in b:\n    acc += v * v\n")
    run = _both(src, threshold=3)
    assert sum(l.compiled is not None for l in run.loops) >= 3


MANDEL = """
def escapes(n):
    total = 0
    for py in range(n):
        ci = py * 2.0 / n - 1.0
        for px in range(n):
            cr = px * 3.0 / n - 2.0
            zr = zi = 0.0
            it = 0
            while it < 30 and zr * zr + zi * zi <= 4.0:
                zr, zi = zr * zr - zi * zi + cr, 2.0 * zr * zi + ci
                it += 1
            total += it
    return total
r = escapes(40)
"""


@pytest.mark.parametrize("params", [{"threshold": 5, "trace_eagerness": 3, "check_traces": True},
                                    {"threshold": 5, "trace_eagerness": 3, "arch": "aarch64"}])
def test_bridge_after_an_inner_loop_exit(params):
    """The inner loop leaves by either exit; the outer trace's guard on the exit it took gets
    a bridge that starts from the inner loop's exit (the inner loop does not run again)."""
    if params.get("arch") == "aarch64":
        pytest.importorskip("unicorn")
    assert_same(MANDEL, **params)
    run = jitnb.run(MANDEL + "# again\n", {}, **params)
    (px,) = [lp for lp in run.loops if lp.line == 6]
    trace = px.compiled.trace
    calls = [k for k, op in enumerate(trace.ops) if op.num == O.CALL_LOOP]   # preamble, body
    exit_guards = [trace.ops[k + 1] for k in calls]
    assert calls and all(g.num == O.GUARD_VALUE and g.snapshot.resume.after_call
                         for g in exit_guards)
    bridged = {exit for exit, _, _ in px.compiled.bridges}
    assert bridged & {trace.guards().index(g) for g in exit_guards}


def test_a_loop_calling_a_function_with_a_loop_inlines_it_and_calls_its_loop():
    """The outer loop's trace inlines ``dot`` and calls the machine code of dot's own loop
    (``call_loop``); the call site's loop counts as nesting (it gets hot sooner)."""
    src = ("from array import array\n"
           "def dot(a, b, n):\n    s = 0.0\n    for j in range(n):\n        s += a[j] * b[j]\n"
           "    return s\n"
           "def drive(a, b, reps):\n    t = 0.0\n    for r in range(reps):\n"
           "        t += dot(a, b, 5 + r % 7)\n    return t\n"
           "a = array('d', [1.5] * 16)\nb = array('d', [0.25] * 16)\n"
           "out = [drive(a, b, 60) for _ in range(4)]\n")
    assert_same(src, threshold=20, check_traces=True)
    o = jitnb.run(src, {}, threshold=20)
    outer = [lp for lp in o.loops if lp.line == 9]
    assert outer and outer[0].nests and outer[0].compiled is not None
    ops = [op.name for op in outer[0].compiled.trace.ops]
    assert "call_loop" in ops
    assert not any("inlined function" in e.reason for e in o.events if e.kind == "trace-abort")
