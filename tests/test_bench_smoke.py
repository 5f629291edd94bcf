"""The benchmark runner end to end on one tiny workload (no timing assertions), and every
hot kernel at a tiny n under jitnb, C and PyPy against CPython."""
import dataclasses
import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)


def _bench(*args, timeout=300):
    return subprocess.run([sys.executable, "-m", "bench", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)


def test_runner_end_to_end_writes_table_and_json(tmp_path):
    out = tmp_path / "smoke.json"
    proc = _bench("--reps", "2", "--json", str(out), "smoke")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "tiny" in proc.stdout and "median ms" in proc.stdout
    data = json.loads(out.read_text())
    assert data["meta"]["suite"] == "smoke" and data["meta"]["reps"] == 2
    (w,) = data["workloads"]
    assert w["name"] == "tiny" and not w["errors"] and not w["mismatches"]
    assert {"cpython", "jitnb", "cpython-exec", "jitnb-exec"} <= set(w["configs"])
    for name, c in w["configs"].items():
        assert len(c["samples"]) == 2, name
        s = c["summary"]
        assert s["min"] <= s["q1"] <= s["median"] <= s["q3"] <= s["max"]
        if c["baseline"]:
            r = c["ratio"]
            assert r["low"] <= r["value"] <= r["high"]
    assert w["hot_loops"] and not any(w["hot_loops"].values())


def test_filter_matching_nothing_is_an_error(tmp_path):
    proc = _bench("--reps", "1", "--filter", "no-such-workload", "--json",
                  str(tmp_path / "x.json"), "smoke")
    assert proc.returncode == 2 and "no workload" in proc.stderr
    assert not (tmp_path / "x.json").exists()


def test_configuration_order_is_interleaved():
    from bench.runner import _order
    names = ["a", "b", "c"]
    orders = [_order(names, rep) for rep in range(6)]
    assert all(sorted(o) == names for o in orders)
    for i in range(3):  # every configuration takes every place
        assert {o[i] for o in orders} == set(names)
    assert _order(["x", "y"], 0) == ["x", "y"] and _order(["x", "y"], 1) == ["y", "x"]


# -- the hot suite: kernels called again and again, CPython against jitnb (PyPy and C left out) --
def test_hot_suite_end_to_end_cpython_and_jitnb(tmp_path):
    out = tmp_path / "hot.json"
    proc = _bench("--reps", "2", "--configs", "cpython,jitnb,jitnb-nopeel", "--json", str(out),
                  "hot-smoke")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "tiny_int_loop" in proc.stdout and "median ms" in proc.stdout
    assert "geometric mean" in proc.stdout and "compiled" in proc.stdout
    data = json.loads(out.read_text())
    meta = data["meta"]
    assert meta["suite"] == "hot-smoke" and meta["reps"] == 2 and meta["warmup"] == 1
    assert meta["configs"] == ["cpython", "jitnb", "jitnb-nopeel"]
    (k,) = data["kernels"]
    assert k["name"] == "tiny_int_loop" and not k["errors"] and not k["mismatches"]
    assert set(k["configs"]) == {"cpython", "jitnb", "jitnb-nopeel"} and not k["unavailable"]
    for name, c in k["configs"].items():
        assert len(c["times_ns"]) == 3 and len(c["steady_ns"]) == 2, name
        assert c["first_ns"] == c["times_ns"][0] and c["whole_run_ns"] == sum(c["times_ns"])
        s = c["summary"]
        assert s["n"] == 2 and s["min"] <= s["q1"] <= s["median"] <= s["q3"] <= s["max"]
    sp = k["configs"]["jitnb"]["speedup"]
    assert {"steady", "first_call", "whole_run"} <= set(sp)
    assert sp["steady"]["low"] <= sp["steady"]["value"] <= sp["steady"]["high"]
    assert k["results"]["jitnb"] == k["results"]["cpython"]
    j = k["jitnb"]
    assert len(j["per_call"]) == 3 and j["loops_instrumented"] == 1
    assert j["traces_compiled"] + j["traces_aborted"] >= 1  # 3000 iterations: the loop got hot
    assert set(j["seconds"]) == {"record", "optimise", "assemble", "aborted_tracing"}
    assert {g["config"] for g in data["geomeans"].values()} == {"jitnb", "jitnb-nopeel"}
    assert set(k["jitnb_configs"]) == {"jitnb", "jitnb-nopeel"}
    assert k["jitnb"] == k["jitnb_configs"]["jitnb"]
    pe = data["peeling"]
    assert pe["kernels"] == 1 and pe["with"] == "jitnb" and pe["without"] == "jitnb-nopeel"
    assert "loop peeling: jitnb" in proc.stdout and "with/without = " in proc.stdout


def test_hot_results_are_compared_exactly():
    from bench.hot import compare, same_value
    assert same_value(1.5, 1.5) and same_value(7, 7)
    assert not same_value(0.0, -0.0) and not same_value(1, 1.0) and not same_value(True, 1)
    assert compare(0.1 + 0.2, 0.30000000000000004, 1e-9)[0] == "equal"
    assert compare(1.0, 1.0 + 2 ** -50, 1e-9)[0] == "close"
    assert compare(1.0, 1.001, 1e-9)[0] == "differ"
    assert compare(10, 11, 1e-9)[0] == "differ"


def test_hot_mismatch_is_reported(tmp_path):
    from bench import hot

    class OffByOne(hot.HotConfig):
        name, label = "offbyone", "off by one"

        def prepare(self, kernel):
            return hot.Trial(lambda n: n + 1, kernel.arg)

    kernel = hot.Kernel("ident", "def kernel(n):\n    return n\n", 5)
    rec = hot.measure_kernel(kernel, [hot.CPython(), OffByOne()], warmup=1, reps=2,
                             workdir=str(tmp_path))
    assert not rec["errors"] and "cpython" not in rec["mismatches"]
    assert len(rec["mismatches"]["offbyone"]) == 3  # every call is checked
    result = {"meta": {"suite": "t", "suite_description": "", "warmup": 1, "reps": 2,
                       "versions": {}, "machine": "m", "cpus": 1, "commit": ""},
              "kernels": [rec], "geomeans": hot.geomeans([rec])}
    text = hot.format_report(result)
    assert "RESULTS DIFFER FROM CPYTHON" in text and "RESULT DIFFERS" in text


def test_hot_pypy_and_c_skip_without_their_tools(monkeypatch, tmp_path):
    from bench import hot
    monkeypatch.setenv("PATH", str(tmp_path))
    assert "pypy3" in hot.PyPy().available()
    assert "gcc" in hot.C().available()


def test_every_hot_kernel_has_a_c_version():
    from bench.suites.hot import smoke_suite, suite
    for k in suite().kernels + smoke_suite().kernels:
        assert os.path.exists(k.c_path), k.name
        compile(k.source, k.filename, "exec")


# -- every hot kernel at a tiny n: jitnb, C and PyPy against CPython -------------------------
def _hot_kernels():
    from bench.suites.hot import suite
    return suite().kernels


HOT_KERNELS = _hot_kernels()


def _cpython_result(kernel, arg):
    ns = {"__name__": "__main__"}
    exec(compile(kernel.source, kernel.filename, "exec"), ns)
    return ns[kernel.entry](arg)


@pytest.mark.parametrize("kernel", HOT_KERNELS, ids=[k.name for k in HOT_KERNELS])
def test_hot_kernel_under_jitnb_gives_cpythons_result(kernel):
    """Tiny n, a low threshold so the loops get traced, every machine-code run checked
    against the reference IR interpreter; the first and a later call must both be exact."""
    import jitnb
    from bench.hot import same_value
    assert kernel.smoke_arg > 0
    ref = _cpython_result(kernel, kernel.smoke_arg)
    ns = {"__name__": "__main__"}
    jitnb.run(kernel.source, ns, filename=kernel.filename, threshold=20, check_traces=True)
    for call in range(2):
        got = ns[kernel.entry](kernel.smoke_arg)
        assert same_value(got, ref), (call, got, ref)


def test_no_peeling_configuration_passes_its_opts_through():
    import jitnb
    from bench import hot
    cfg = hot.HOT_CONFIGS["jitnb-nopeel"]
    assert cfg.params == {"enable_opts": "fold:intbounds:cse:heap:virtualize"}
    assert "unroll" not in cfg.params["enable_opts"] and "enable_opts fold:" in cfg.version()
    assert "unroll" in jitnb.params.get().enable_opts  # the default peels, so the two differ
    kernel = next(k for k in HOT_KERNELS if k.name == "conv3")
    trial = cfg.prepare(hot.Kernel(kernel.name, kernel.source, kernel.smoke_arg))
    assert trial.call()[1] == _cpython_result(kernel, kernel.smoke_arg)
    assert {lp.unit.params.enable_opts for lp in trial.run.loops} == {cfg.params["enable_opts"]}


@pytest.mark.parametrize("kernel", HOT_KERNELS, ids=[k.name for k in HOT_KERNELS])
def test_hot_kernel_c_version_gives_cpythons_result(kernel, tmp_path):
    """Same operations in the same order: bit for bit (no tolerance)."""
    from bench import hot
    c = hot.C()
    if c.available():
        pytest.skip(c.available())
    small = dataclasses.replace(kernel, arg=kernel.smoke_arg)
    out = c.measure(small, 2, str(tmp_path))
    assert out["consistent"]
    assert hot.compare(_cpython_result(kernel, kernel.smoke_arg), out["result"], 0.0)[0] == "equal"


def test_hot_kernels_run_under_pypy(tmp_path):
    from bench import hot
    pypy = hot.PyPy()
    if pypy.available():
        pytest.skip(pypy.available())
    for kernel in HOT_KERNELS:
        small = dataclasses.replace(kernel, arg=kernel.smoke_arg)
        out = pypy.measure(small, 1, str(tmp_path))
        ref = _cpython_result(kernel, kernel.smoke_arg)
        assert hot.compare(ref, out["result"], kernel.tolerance)[0] != "differ", kernel.name


def test_peeling_gain_is_the_ratio_of_geometric_means():
    from bench import hot

    def rec(name, with_, without):
        return {"name": name, "configs": {"jitnb": {"speedup": {"steady": {"value": with_}}},
                                          "jitnb-nopeel": {"speedup": {"steady": {"value": without}}}}}

    records = [rec("a", 8.0, 4.0), rec("b", 2.0, 2.0),
               {"name": "c", "configs": {"jitnb": {"speedup": {"steady": {"value": 100.0}}}}}]
    pe = hot.peeling(records)
    assert pe["kernels"] == 2 and pe["per_kernel"] == {"a": 2.0, "b": 1.0}
    assert abs(pe["geomean_with"] - 4.0) < 1e-12 and abs(pe["geomean_without"] - 8 ** 0.5) < 1e-12
    assert abs(pe["ratio"] - 2 ** 0.5) < 1e-12
    assert hot.peeling(records[2:]) is None


def test_abort_reasons_are_gathered_over_the_suite():
    from bench import hot

    def rec(name, *reasons):
        return {"name": name, "jitnb": {"abort_reasons": [
            {"loop": 1, "loop_line": 3, "line": 4, "reason": r, "count": 2} for r in reasons]}}

    lines = hot._abort_lines([rec("a", "inner loop at line 7 not compiled yet", "x: NYI"),
                              rec("b", "inner loop at line 9 not compiled yet"), rec("c")])
    assert lines[1] == "   2 inner loop at line N not compiled yet: a, b"
    assert lines[2] == "   1 x: NYI: a"
    assert hot._abort_lines([rec("c")]) == []


def test_hot_configuration_over_the_call_limit_is_stopped(tmp_path):
    import time as _time
    from bench import hot

    class Slow(hot.HotConfig):
        name, label = "slow", "slow"

        def prepare(self, kernel):
            return hot.Trial(lambda n: (_time.sleep(0.02), n)[1], kernel.arg)

    kernel = hot.Kernel("ident", "def kernel(n):\n    return n\n", 5)
    rec = hot.measure_kernel(kernel, [hot.CPython(), Slow()], warmup=1, reps=3,
                             workdir=str(tmp_path), call_limit=0.01)
    assert list(rec["stopped"]) == ["slow"] and "after call 1 of 4" in rec["stopped"]["slow"]
    assert len(rec["configs"]["slow"]["times_ns"]) == 1 and len(rec["configs"]["cpython"]["times_ns"]) == 4
    assert not rec["errors"] and not rec["mismatches"]
    result = {"meta": {"suite": "t", "suite_description": "", "warmup": 1, "reps": 3,
                       "versions": {}, "machine": "m", "cpus": 1, "commit": ""},
              "kernels": [rec], "geomeans": hot.geomeans([rec]), "peeling": None}
    text = hot.format_report(result)
    assert "(no steady calls)" in text and "over the 0.01 s limit" in text
