"""Entry points over one engine: run(), @jit, %%jit, the CLI, events and parameters."""
import io
import re
import contextlib
import subprocess
import sys

import pytest

import jitnb
from jitnb import events as ev
from jitnb import params


def test_run_returns_namespace_events_and_summary():
    r = jitnb.run("s = 0\nfor i in range(50):\n    s += i\n", threshold=10)
    assert r.namespace["s"] == sum(range(50)) and r.namespace["i"] == 49
    kinds = [e.kind for e in r.events]
    assert kinds[0] == "cell-start" and kinds[-1] == "cell-end"
    assert "loop-hot" in kinds and "interp-enter" in kinds
    s = r.summary()
    assert s["hot_loops"] == 1 and s["events"]["interp-leave"] == s["events"]["interp-enter"]
    assert set(s["seconds"]) >= {"total", "interpreter", "cpython"}
    assert not any(k.startswith("_jitnb") for k in r.namespace)


def test_threshold_counts_iterations():
    r = jitnb.run("for i in range(30):\n    pass\n", threshold=10, jit=False)
    # handed over after 10 iterations, then every 10 more: 30 // 10 times
    assert sum(e.kind == "interp-enter" for e in r.events) == 3


def test_not_jitable_reason_recorded_with_line():
    src = "def gen():\n    for i in range(3):\n        yield i\nx = list(gen())\nfor i in range(3):\n    try:\n        pass\n    except Exception:\n        pass\n"
    r = jitnb.run(src, threshold=1)
    reasons = [(e.scope, e.line, e.reason) for e in r.events if isinstance(e, ev.NotJitable)]
    assert ("function gen", 1, "generator function at line 1: not JIT-able") in reasons
    assert ("<module>", 5, "try statement at line 6: NYI") in reasons
    assert r.namespace["x"] == [0, 1, 2]


def test_exception_in_hot_loop_keeps_namespace_and_line():
    src = "total = 0\nfor i in range(10):\n    total += i\n    if i == 6:\n        total = total / 0\n"
    expected: dict = {}
    with pytest.raises(ZeroDivisionError) as e1:
        exec(compile(src, "<plain>", "exec"), expected)
    ns: dict = {}
    with pytest.raises(ZeroDivisionError) as e2:
        jitnb.run(src, ns, filename="<jit>", threshold=1)
    assert str(e1.value) == str(e2.value)
    assert (ns["total"], ns["i"]) == (expected["total"], expected["i"])
    tb = e2.value.__traceback__
    while tb.tb_next:
        tb = tb.tb_next
    assert (tb.tb_frame.f_code.co_filename, tb.tb_lineno) == ("<jit>", 5)


def test_exception_in_function_loop_writes_back_locals():
    src = ("def f():\n    acc = []\n    k = 0\n    try:\n        for i in range(10):\n"
           "            k = i * 2\n            acc.append(10 // (5 - i))\n    except ZeroDivisionError:\n"
           "        return acc, k\nres = f()\n")
    expected: dict = {}
    exec(src, expected)
    assert jitnb.run(src, threshold=1).namespace["res"] == expected["res"]


def test_return_break_continue_from_handed_over_loops():
    src = ("def f(xs):\n    n = 0\n    for x in xs:\n        if x < 0:\n            continue\n"
           "        if x > 100:\n            break\n        if x == 42:\n            return 'found', n\n"
           "        n += x\n    return 'done', n\n"
           "a = f([1, -2, 3, 42, 5])\nb = f([1, 2, 500, 42])\nc = f(range(10))\n")
    expected: dict = {}
    exec(src, expected)
    for t in (1, 2, 3, 200):
        got = jitnb.run(src, threshold=t).namespace
        assert (got["a"], got["b"], got["c"]) == (expected["a"], expected["b"], expected["c"])


def test_functions_stay_under_jitnb_across_runs():
    ns: dict = {}
    jitnb.run("def f(n):\n    s = 0\n    for i in range(n):\n        s += i\n    return s\n", ns,
              threshold=5)
    seen = []
    unsub = ev.subscribe(seen.append, kinds=["interp-enter"])
    try:
        exec("y = f(20)", ns)  # plain CPython calling the function later
    finally:
        unsub()
    assert ns["y"] == 190 and seen


def test_jit_decorator():
    @jitnb.jit(threshold=3)
    def tri(n, step=1):
        s = 0
        i = 0
        while i < n:
            s += i
            i += step
        return s
    seen = []
    unsub = ev.subscribe(seen.append, kinds=["interp-enter"])
    try:
        assert tri(100) == 4950 and tri(10, step=3) == 18
    finally:
        unsub()
    assert seen and tri.__name__ == "tri"
    assert jitnb.jit(tri) is tri


def test_params_precedence_and_validation():
    params.set(threshold=7, jit=False)
    try:
        r = jitnb.run("for i in range(14):\n    pass\n")
        assert sum(e.kind == "interp-enter" for e in r.events) == 2
        r = jitnb.run("for i in range(14):\n    pass\n", threshold=14)
        assert sum(e.kind == "interp-enter" for e in r.events) == 1
    finally:
        params.reset()
    with pytest.raises(TypeError):
        jitnb.run("x = 1", thresold=3)
    with pytest.raises(ValueError):
        jitnb.run("x = 1", threshold=-1)


def test_event_log_lines_and_hooks():
    lines = []
    unsub = ev.subscribe(lambda e: lines.append(str(e)), kinds=["loop-hot"])
    try:
        jitnb.run("while False:\n    pass\nfor i in range(3):\n    pass\n", threshold=2)
    finally:
        unsub()
    assert len(lines) == 1 and "loop-hot loop=" in lines[0] and "line=3" in lines[0]
    assert {"cell-start", "not-jitable", "loop-hot", "interp-enter", "interp-leave"} <= set(ev.kinds())


def test_cli_runs_script_and_writes_log(tmp_path):
    script = tmp_path / "s.py"
    script.write_text("import sys\nt = 0\nfor i in range(500):\n    t += i\nprint(t, sys.argv[1:])\n")
    log = tmp_path / "log.txt"
    out = subprocess.run([sys.executable, "-m", "jitnb", "run", str(script), "--log", str(log),
                          "--threshold", "100", "--jit", "no", "x"], capture_output=True, text=True, check=True)
    assert out.stdout == "124750 ['x']\n"
    text = log.read_text()
    assert "loop-hot" in text and text.count("interp-enter") == 5
    bad = tmp_path / "bad.py"
    bad.write_text("x = 1\nraise ValueError('boom')\n")
    out = subprocess.run([sys.executable, "-m", "jitnb", "run", str(bad)], capture_output=True, text=True)
    assert out.returncode == 1 and "ValueError: boom" in out.stderr and "line 2" in out.stderr


# -- the magic in a real IPython shell --------------------------------------------------
IPython = pytest.importorskip("IPython")


@pytest.fixture
def shells():
    from IPython.core.interactiveshell import InteractiveShell
    plain = InteractiveShell()
    jit = InteractiveShell()
    jit.run_cell("%load_ext jitnb")
    return plain, jit


def _run(shell, code):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        res = shell.run_cell(code)
    return res, buf.getvalue()


def _user(ns):
    return {k: v for k, v in ns.items() if not k.startswith("_") and k not in ("In", "Out", "exit", "quit", "get_ipython")}


@pytest.mark.parametrize("body", [
    "s = 0\nfor i in range(300):\n    s += i * i\ns",
    "x = 0\nfor i in range(10):\n    x += i\n    if i == 5:\n        x = x // 0\n",
    "for i in range(3):\n    try:\n        y = i\n    except Exception:\n        pass\ny",
    "z = [i for i in range(5)]\nz",
])
def test_jit_cell_matches_plain_cell(shells, body):
    plain, jit = shells
    r1, out1 = _run(plain, body)
    r2, out2 = _run(jit, "%%jit --threshold 1\n" + body)
    assert type(r1.error_in_exec) is type(r2.error_in_exec)
    assert r1.result == r2.result
    assert _user(plain.user_ns) == _user(jit.user_ns)
    # the traceback and the Out[] display differ only in the magic line's offset
    assert out1.count("Error") == out2.count("Error")


def test_jit_cell_traceback_shows_cell_lines(shells):
    _, jit = shells
    res, out = _run(jit, "%%jit --threshold 1\nfor i in range(4):\n    v = 1 / (i - 2)\n")
    out = re.sub(r"\x1b\[[0-9;]*m", "", out)
    assert isinstance(res.error_in_exec, ZeroDivisionError)
    assert re.search(r"(line |:)3\b", out) and "----> 3" in out and "engine.py" not in out and "jit_magic" not in out


def test_bad_option_and_syntax_error(shells):
    _, jit = shells
    res, _ = _run(jit, "%%jit --bogus 3\nx = 1\n")
    assert res.error_in_exec is not None and type(res.error_in_exec).__name__ == "UsageError"
    res, _ = _run(jit, "%%jit --threshold -4\nx = 1\n")
    assert type(res.error_in_exec).__name__ == "UsageError"
    res, out = _run(jit, "%%jit\nx = (1,\ny = 2\n")
    assert isinstance(res.error_before_exec or res.error_in_exec, SyntaxError)
    assert "x" not in jit.user_ns


def test_functions_defined_in_jit_cell_stay_jitted(shells):
    _, jit = shells
    _run(jit, "%%jit --threshold 2\ndef f(n):\n    t = 0\n    for i in range(n):\n        t += i\n    return t\n")
    seen = []
    unsub = ev.subscribe(seen.append, kinds=["interp-enter"])
    try:
        res, _ = _run(jit, "f(10)")
    finally:
        unsub()
    assert res.result == 45 and seen


def test_jitparams_magic(shells):
    _, jit = shells
    try:
        res, _ = _run(jit, "%jitparams --threshold 33")
        assert res.result.threshold == 33 and params.get().threshold == 33
    finally:
        params.reset()


def test_loop_iterable_outside_subset_runs_plainly():
    src = "out = []\nfor x in sorted([3, 1, 2], key=lambda v: -v):\n    out.append(x)\nfor y in [i * i for i in range(3)]:\n    out.append(y)\n"
    r = jitnb.run(src, threshold=1)
    assert r.namespace["out"] == [3, 2, 1, 0, 1, 4]
    assert [why for _, _, why in r.rejects] == ["lambda at line 2: NYI", "list comprehension at line 4: NYI"]


def test_rerun_of_same_source_reuses_warm_loops_and_reports_its_own_filename():
    src = "t = 0\nfor i in range(500):\n    t += i\nx = 1 / (t - t)\n"
    with pytest.raises(ZeroDivisionError):
        jitnb.run(src, {}, filename="<first>", threshold=10)
    ns: dict = {}
    with pytest.raises(ZeroDivisionError) as e:
        jitnb.run(src, ns, filename="<second>", threshold=10)
    tb = e.value.__traceback__
    while tb.tb_next:
        tb = tb.tb_next
    assert tb.tb_frame.f_code.co_filename == "<second>" and ns["t"] == sum(range(500))
    r = jitnb.run(src.replace("x = 1 / (t - t)\n", ""), threshold=10)
    r2 = jitnb.run(src.replace("x = 1 / (t - t)\n", ""), threshold=10)
    assert r.loops == r2.loops
    assert "trace-compiled" not in {ev.kind for ev in r2.events}


def test_loops_are_freed_when_no_code_can_reach_them():
    import gc
    from jitnb import engine
    from jitnb.jit import driver
    src = "def f(n):\n    s = 0\n    for i in range(n):\n        s += i\n    return s\nr = f(1000)\n"
    freed = []
    unsub = ev.subscribe(freed.append, kinds=["loop-freed"])
    try:
        ns: dict = {}
        run = jitnb.run(src, ns, threshold=5)
        loop = run.loops[0]
        assert loop.compiled is not None
        engine._CACHE.clear()
        del ns, run
        gc.collect()
        jitnb.run("pass")  # the next run frees what became unreachable
    finally:
        unsub()
    assert loop.id in [e.loop for e in freed]
    assert loop.compiled is None and driver.engine.loops[loop.id] is None


def test_event_log_carries_listings(tmp_path):
    script = tmp_path / "b.py"
    script.write_text("t = 0\nfor i in range(3000):\n    if i % 3:\n        t += i\n    else:\n        t -= 1\nprint(t)\n")
    log = tmp_path / "log.txt"
    subprocess.run([sys.executable, "-m", "jitnb", "run", str(script), "--log", str(log),
                    "--threshold", "50", "--trace-eagerness", "5"], check=True, capture_output=True)
    text = log.read_text()
    assert "trace-listing loop=0" in text and "-- IR after optimisation" in text
    assert "bridge-compiled" in text and "-- bridge from guard" in text and "[end listing]" in text
