"""Function entries: hot functions traced from their first bytecode to their return.

Each program is compared with CPython (``assert_same``); the tests then look at what
jitnb did: events, the compiled trace, the calls machine code makes to itself.
"""
from __future__ import annotations

import ast

import pytest

import jitnb
from difftest import assert_same
from jitnb import events as ev
from jitnb import params as jit_params
from jitnb.jit import driver
from jitnb.jit.compiled import CALL_DEPTH, EntryCall
from jitnb.jit.entry import FunctionEntry
from jitnb.jit.instrument import instrument
from jitnb.jit.ir import ops as I

TARGETS = {
    "x86_64-native": {},
    "x86_64-unicorn": {"emulate": True},
    "aarch64-unicorn": {"arch": "aarch64"},
}
TRACED = {"function_threshold": 1, "threshold": 1000, "check_traces": True}


def entries(out) -> list[FunctionEntry]:
    ids = {e.loop for e in out.events if isinstance(e, ev.FunctionHot)}
    return [driver.engine.loops[i] for i in sorted(ids)]


def kinds(out) -> set[str]:
    return {e.kind for e in out.events}


def test_prologue_counts_calls_and_keeps_the_docstring():
    src = 'def f(a, b=1):\n    "doc"\n    return a + b\n'
    tree = ast.parse(src)
    inst = instrument(tree, src, "<t>", jit_params.get().with_(function_threshold=7))
    assert len(inst.entries) == 1 and inst.entries[0].budget == 7
    body = tree.body[0].body
    assert isinstance(body[0], ast.Expr) and body[0].value.value == "doc"
    assert isinstance(body[1], ast.Try)               # the counter and the hand-over
    assert isinstance(body[-1], ast.Return)


@pytest.mark.parametrize("src, why", [
    ("def f(*xs):\n    return len(xs)\n", "*args"),
    ("def g(k):\n    def f(x):\n        return x + k\n    return f\n", "closure"),
    ("def f(x):\n    try:\n        return 1 // x\n    except ZeroDivisionError:\n        return 0\n",
     "try statement"),
])
def test_functions_not_traced_from_their_start_say_why(src, why):
    out = assert_same(src + "r = [f(i) for i in range(5)] if 'f' in dir() else 0\n", **TRACED)
    reasons = [e.reason for e in out.events if isinstance(e, ev.NotJitable)]
    assert any("not traced from its start" in r and why in r for r in reasons), reasons
    assert "function-hot" not in kinds(out)


def test_hot_function_from_cold_code_runs_as_machine_code():
    src = ("def f(a, b):\n    c = a * 3 + b\n    if c > 100:\n        return c - 1.5\n"
           "    return c\nr = [f(i, 2) for i in range(60)]\n")
    out = assert_same(src, function_threshold=5, threshold=1000, check_traces=True,
                      trace_eagerness=3)
    [entry] = entries(out)
    compiled = entry.variants[0]
    assert compiled.trace.ops[-1].num == I.FINISH and compiled.entries >= 50
    assert {"function-hot", "trace-start", "trace-compiled", "bridge-compiled"} <= kinds(out)
    assert "function f" in entry.listing()
    hot = next(e for e in out.events if isinstance(e, ev.FunctionHot))
    assert (hot.scope, hot.line, hot.count) == ("function f", 1, 5)


@pytest.mark.parametrize("value, kind", [("a * 2", int), ("a * 0.5", float), ("a > 3", bool),
                                          ("None", type(None)), ("'s'", str)])
def test_return_value_is_boxed_with_its_type(value, kind):
    src = f"def f(a):\n    return {value}\nr = [f(i) for i in range(9)]\n"
    out = assert_same(src, **TRACED)
    assert all(type(v) is kind for v in out.namespace["r"])
    assert entries(out)[0].variants[0].entries >= 7


def test_argument_types_get_a_trace_each_and_retraces_are_limited():
    src = ("def f(a):\n    return a + a\n"
           "r = [f(i) for i in range(6)] + [f(i / 2) for i in range(6)] + [f(i > 2) for i in range(6)]\n")
    out = assert_same(src, **TRACED)
    assert len(entries(out)[0].variants) == 3
    out = assert_same(src.replace("range(6)", "range(7)"), max_retrace=2, **TRACED)
    entry = entries(out)[0]
    assert len(entry.variants) == 2 and entry.blacklisted


def test_exception_raised_at_its_line_after_machine_code():
    src = ("def g(x):\n    return 10 // x\n\ndef f(a):\n    y = a + 1\n    return g(a) + y\n"
           "t = [f(i) for i in range(5, 0, -1)]\nf(0)\n")
    out = assert_same(src, **TRACED)     # ZeroDivisionError, traceback through f and g
    assert "trace-compiled" in kinds(out)


def test_recursion_calls_its_own_machine_code():
    src = ("def fib(n):\n    if n < 2:\n        return n\n    return fib(n - 1) + fib(n - 2)\n"
           "r = [fib(n) for n in range(18)]\n")
    out = assert_same(src, **TRACED)
    compiled = entries(out)[0].variants[0]
    ops = list(compiled.trace.ops) + [op for _, _, t in compiled.bridges for op in t.ops]
    calls = [op for op in ops if op.num == I.CALL_LOOP]     # fib(0) came first: in a bridge
    assert calls and all(isinstance(op.descr, EntryCall) and op.descr.entry_address
                         for op in calls)
    assert CALL_DEPTH[0] == 0
    before = compiled.entries
    ns = out.namespace
    assert ns["fib"](20) == 6765 and compiled.entries == before + 1   # one entry, no deopt
    assert compiled.last_exit == -1


@pytest.mark.parametrize("target", list(TARGETS), ids=list(TARGETS))
def test_recursion_on_every_target(target):
    src = ("def total(n):\n    if n == 0:\n        return 0.0\n    return n + total(n - 1)\n"
           "def even(n):\n    if n == 0:\n        return True\n    return odd(n - 1)\n"
           "def odd(n):\n    if n == 0:\n        return False\n    return even(n - 1)\n"
           "r = [total(n) for n in range(60)] + [even(n) for n in range(60)] + [total(350)]\n")
    out = assert_same(src, **TRACED, **TARGETS[target])
    assert "trace-compiled" in kinds(out)
    assert CALL_DEPTH[0] == 0


def test_recursion_beyond_the_limit_is_cpythons_recursion_error():
    src = ("def down(n):\n    return down(n + 1) + 1\nr = [down(-5) if i == 9 else i for i in range(3)]\n"
           "down(0)\n")
    assert_same(src, **TRACED)


def test_function_with_a_compiled_loop_calls_it():
    src = ("def tri(n):\n    s = 0\n    i = 0\n    for i in range(n):\n        s += i\n"
           "    return s + i\nr = [tri(n) for n in range(40)]\n")
    out = assert_same(src, function_threshold=3, threshold=2, check_traces=True)
    entry = entries(out)[0]
    assert any(op.num == I.CALL_LOOP for v in entry.variants for op in v.trace.ops)


def test_function_trace_calls_a_loop_whose_unbound_locals_are_dead():
    # `i` is unbound at the first header but dead there (the loop writes it first, and
    # nothing after the loop reads it): the loop's code can take any int for it
    src = ("def tri(n):\n    s = 0\n    for i in range(n):\n        s += i\n    return s\n"
           "r = [tri(n) for n in range(40)]\n")
    out = assert_same(src, function_threshold=3, threshold=2, check_traces=True)
    entry = entries(out)[0]
    assert any(op.num == I.CALL_LOOP for v in entry.variants for op in v.trace.ops)


def test_function_trace_hands_a_loop_it_cannot_call_to_the_interpreter():
    # `i` is unbound at the first header, unlike in the loop's own trace, and live there
    # (read after the loop)
    src = ("def tri(n):\n    s = 0\n    for i in range(n):\n        s += i\n"
           "    return s + (i if n else 0)\n"
           "r = [tri(n) for n in range(40)]\n")
    out = assert_same(src, function_threshold=3, threshold=2, check_traces=True)
    entry = entries(out)[0]
    [variant] = entry.variants
    assert variant.trace.ops[-1].num == I.FINISH and not variant.trace.ops[-1].args
    assert variant.guards[-1].failures >= 30 and variant.guards[-1].bridge is None
    loop = next(l for l in out_loops(out) if l.compiled is not None)
    assert loop.compiled.entries >= 30


def out_loops(out) -> list:
    return [driver.engine.loops[e.loop] for e in out.events if isinstance(e, ev.TraceCompiled)]


def test_aborted_trace_without_effects_lets_cpython_run_the_call():
    # sys._getframe is a residual call: the trace aborts before it, and CPython runs
    # the whole call, so the frame it sees is the caller's own
    src = ("import sys\ndef who():\n    x = 1 + 2\n    return sys._getframe(1).f_code.co_name\n"
           "def main():\n    return [who() for i in range(3)]\nr = main()\n")
    out = assert_same(src, **TRACED)
    assert "trace-abort" in kinds(out)


def test_no_entry_without_the_jit():
    out = jitnb.run("def f(x):\n    return x\nr = [f(i) for i in range(5)]\n",
                    function_threshold=1, jit=False)
    assert "function-hot" not in kinds(out)


def test_native_entries_take_the_short_path_and_its_exits():
    from jitnb.jit.entry import _Fast
    src = ("def f(a, b):\n    c = a * b\n    if c > 50:\n        return c * 0.5\n    return c\n"
           "r = [f(i, 3) for i in range(40)] + [f(2 ** 40, 2 ** 30), f(3, 1.5)]\n")
    out = assert_same(src, function_threshold=1, threshold=1000, trace_eagerness=1000)
    variant = entries(out)[0].variants[0]      # the int one (f(3, 1.5) makes another)
    if type(variant.executor).__name__ != "NativeExecutor":
        pytest.skip("no native code here")
    assert _Fast.of(variant) is not None
    assert variant.entries >= 40 and sum(g.failures for g in variant.guards) >= 20


def test_short_function_goes_back_to_cpython():
    src = "def f(a):\n    return a + 1\nr = [f(i) for i in range(700)]\n"
    out = assert_same(src, function_threshold=1, threshold=1000)
    entry = entries(out)[0]
    assert entry.budget > 10 ** 6 and not entry.blacklisted   # CPython calls it again
    assert entry.variants[0].entries <= 300


def test_loop_called_by_a_function_trace_resumes_after_its_other_exit():
    # the guard after call_loop goes on from the loop's exit (the loop updates the array
    # in place: running it again would be wrong); it fails too rarely here for a bridge
    src = ("import array\ndef f(buf, n):\n    i = 0\n    for i in range(n):\n"
           "        buf[i % 8] += i\n        if i == 40:\n            break\n    return buf[0]\n"
           "b = array.array('q', [0] * 8)\n"
           "r = [f(b, 30) for _ in range(6)] + [f(b, n) for n in range(0, 60, 5)]\nrb = list(b)\n")
    out = assert_same(src, function_threshold=4, threshold=1, check_traces=True)
    compiled = entries(out)[0].variants[0]
    assert any(op.num == I.CALL_LOOP for op in compiled.trace.ops)
    after = [i for i, g in enumerate(compiled.exits) if g.snapshot.resume.after_call is not None]
    assert after and all(compiled.guards[i].bridge is None for i in after)
    assert sum(compiled.guards[i].failures for i in after) > 0


def test_function_trace_calling_a_list_loop_holds_the_gil():
    src = ("def total(xs, k):\n    s = 0.0\n    x = 0.0\n    for x in xs:\n        s += x * k\n"
           "        if s > 1e4:\n            break\n    return s\n"
           "data = [float(i) for i in range(50)]\n"
           "r = [total(data, 1) for _ in range(8)] + [total(data, k) for k in range(20)]\n")
    out = assert_same(src, function_threshold=4, threshold=1, check_traces=True)
    compiled = entries(out)[0].variants[0]
    assert any(op.num == I.CALL_LOOP for op in compiled.trace.ops)
    assert compiled.executor.image.holds_gil


def test_residual_calls_in_function_traces():
    # a residual call that comes back to the running function: CPython runs that call;
    # a builtin looking at its caller's frame is not called from a function trace
    src = ("import operator, sys\ndef f(n):\n    if n <= 0:\n        return 1\n"
           "    return operator.call(f, n - 1) + 1\n"
           "def who(a):\n    return sys._getframe(1).f_code.co_name\n"
           "r = [f(n) for n in range(12)] + [who(i) for i in range(5)]\n")
    out = assert_same(src, **TRACED)
    f = [e for e in entries(out) if e.unit.name == "f"][0]
    assert any(op.num == I.CALL_PY for v in f.variants
               for t in [v.trace] + [t for _, _, t in v.bridges] for op in t.ops)
    assert any("looks at its caller's frame" in r for e in entries(out) for r in e.abort_reasons)
