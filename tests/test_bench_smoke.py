"""The benchmark runner end to end on one tiny workload (no timing assertions)."""
import json
import os
import subprocess
import sys

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
