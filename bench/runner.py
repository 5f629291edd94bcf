"""Side-by-side benchmark runner.

Each workload is measured under all its configurations in the same process and
in the same repetitions: repetition r runs every (workload, configuration) once,
with the configurations' order rotated and reversed from one repetition to the
next, so that drift of the machine (frequency, other load, caches, the heap
growing) falls on all configurations alike.  The figure reported for a
configuration is the median of its repetitions; the quartiles and the extremes
are only its spread.  Ratios are medians over the configuration's baseline with
a paired bootstrap interval.

    python -m bench [--reps N] [--filter SUBSTR] [--configs A,B] [--json PATH] [suite]

The ``hot`` suite (steady state of numeric kernels against PyPy and C) has its
own measuring and report, in bench/hot.py; ``--warmup`` applies to it only.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as _dt
import inspect
import io
import json
import os
import platform
import subprocess
import sys
import traceback
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable

from . import stats
from .configs import CONFIGS, Trial, filename_for, fresh_namespace

DEFAULT_REPS = 15
HERE = os.path.dirname(os.path.abspath(__file__))
RESULTS_DIR = os.path.join(HERE, "results")


@dataclass
class Workload:
    """Something to measure: a cell's source and the configurations it runs under.

    ``setup`` runs (untimed, plain CPython) in the fresh namespace before every
    repetition.  ``params`` are the jitnb parameters of the jitnb configurations
    (``{"threshold": 10**9}``).  ``extra`` carries what other configurations need
    (a C version of a kernel, arguments for a PyPy run...).  ``tags`` mark e.g.
    ``worst-case`` workloads, which are left out of the suite's geometric mean.
    """

    name: str
    source: str
    configs: tuple[str, ...]
    setup: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    description: str = ""
    tags: tuple[str, ...] = ()
    expect_cold: bool = False       # no loop may reach its threshold
    check: bool = True              # compare the plain-data results with the first configuration
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Suite:
    name: str
    description: str
    workloads: list[Workload]


# -- measuring -------------------------------------------------------------------------------
class BenchError(RuntimeError):
    pass


def _order(names: list[str], rep: int) -> list[str]:
    """Rotate by rep//2 and reverse on odd repetitions: every configuration takes every place."""
    if not names:
        return names
    k = (rep // 2) % len(names)
    order = names[k:] + names[:k]
    return order[::-1] if rep % 2 else order


_PLAIN = (int, float, complex, str, bytes, bool, type(None))


def _plain(v: Any, depth: int = 0) -> bool:
    if isinstance(v, _PLAIN):
        return True
    if depth > 20:
        return False
    if isinstance(v, (list, tuple, set, frozenset)):
        return all(_plain(x, depth + 1) for x in v)
    if isinstance(v, dict):
        return all(_plain(k, depth + 1) and _plain(x, depth + 1) for k, x in v.items())
    return False


def compare_namespaces(ref: dict, other: dict) -> list[str]:
    """Names whose plain-data values differ (functions, classes, instances are skipped)."""
    bad = []
    for k, v in ref.items():
        if k.startswith("_") or not _plain(v):
            continue
        if k not in other:
            bad.append(f"{k}: missing")
        elif other[k] != v:
            bad.append(f"{k}: {other[k]!r:.60} != {v!r:.60}")
    return bad


_COMPREHENSIONS = frozenset({"<listcomp>", "<dictcomp>", "<setcomp>", "<genexpr>"})


def count_calls(w: Workload) -> Counter:
    """Calls of each function the workload defines, in one plain CPython run (untimed).

    Generator resumptions and comprehensions are not function calls and are not counted.
    """
    filename = filename_for(w)
    calls: Counter = Counter()

    def profile(frame, event, arg):
        code = frame.f_code
        if (event == "call" and code.co_filename == filename and code.co_name not in _COMPREHENSIONS
                and not code.co_flags & (inspect.CO_GENERATOR | inspect.CO_COROUTINE
                                         | inspect.CO_ASYNC_GENERATOR)):
            calls[code.co_qualname] += 1

    ns = fresh_namespace(w)
    code = compile(w.source, filename, "exec")
    with contextlib.redirect_stdout(io.StringIO()):
        sys.setprofile(profile)
        try:
            exec(code, ns)
        finally:
            sys.setprofile(None)
    calls.pop("<module>", None)
    return calls


def _cold_calls_check(w: Workload, rec: dict) -> None:
    from jitnb import params as _params
    limit = _params.get().with_(**w.params).function_threshold
    calls = count_calls(w)
    if calls:
        name, n = calls.most_common(1)[0]
        rec["info"]["most_called"] = {"function": name, "calls": n}
        if n >= limit:
            rec.setdefault("warnings", []).append(
                f"expected cold, but {name} is called {n} times (function threshold {limit})")


def _run_quiet(trial: Trial) -> float:
    """One repetition with the workload's printed output swallowed (the same for every config)."""
    with contextlib.redirect_stdout(io.StringIO()):
        return trial.run()


def measure(workloads: list[Workload], reps: int, only: list[str] | None = None,
            progress: Callable[[str], None] = lambda s: None) -> list[dict]:
    """Measure every workload under its configurations; returns one record per workload."""
    records: list[dict] = []
    trials: dict[tuple[str, str], Trial] = {}
    for w in workloads:
        rec: dict[str, Any] = {"name": w.name, "description": w.description, "tags": list(w.tags),
                               "params": w.params, "configs": {}, "unavailable": {},
                               "errors": {}, "mismatches": {}, "info": {}}
        records.append(rec)
        for name in w.configs:
            if only and name not in only:
                continue
            cfg = CONFIGS.get(name)
            if cfg is None:
                raise BenchError(f"workload {w.name}: unknown configuration {name!r}")
            why = cfg.available()
            if why:
                rec["unavailable"][name] = why
                continue
            progress(f"warm-up {w.name} / {name}")
            try:
                trial = cfg.prepare(w)
                _run_quiet(trial)   # warm-up: imports, caches, and the checks below
            except Exception as e:
                rec["errors"][name] = "".join(traceback.format_exception_only(type(e), e)).strip()
                progress(f"  error: {rec['errors'][name]}")
                continue
            trials[(w.name, name)] = trial
            rec["info"].update(trial.info)
            rec["configs"][name] = {"label": cfg.label, "baseline": cfg.baseline, "samples": []}
        if w.expect_cold:
            _cold_calls_check(w, rec)
        ran = [n for n in w.configs if (w.name, n) in trials]
        if w.check and len(ran) > 1:
            ref = trials[(w.name, ran[0])].namespace or {}
            for name in ran[1:]:
                diff = compare_namespaces(ref, trials[(w.name, name)].namespace or {})
                if diff:
                    rec["mismatches"][name] = diff
    by_name = {r["name"]: r for r in records}
    for rep in range(reps):
        progress(f"repetition {rep + 1}/{reps}")
        for w in workloads:
            rec = by_name[w.name]
            names = [n for n in w.configs if (w.name, n) in trials and n not in rec["errors"]]
            for name in _order(names, rep):
                try:
                    secs = _run_quiet(trials[(w.name, name)])
                except Exception as e:
                    rec["errors"][name] = (f"repetition {rep + 1}: " + "".join(
                        traceback.format_exception_only(type(e), e)).strip())
                    progress(f"  error: {w.name} / {name}: {rec['errors'][name]}")
                    continue
                rec["configs"][name]["samples"].append(secs)
    for w in workloads:
        rec = by_name[w.name]
        hot = {}
        for name, c in rec["configs"].items():
            trial = trials[(w.name, name)]
            if CONFIGS[name].jitnb:
                hot[name] = trial.hot_loops
            trial.close()
            if c["samples"]:
                c["summary"] = stats.summarize(c["samples"]).as_dict()
            base = c["baseline"]
            if base in rec["configs"] and c["samples"] and rec["configs"][base]["samples"]:
                c["ratio"] = stats.ratio_of_medians(
                    c["samples"], rec["configs"][base]["samples"], paired=True).as_dict()
        rec["hot_loops"] = hot
        if w.expect_cold and any(hot.values()):
            rec.setdefault("warnings", []).append(f"expected cold, but loops got hot: {hot}")
    return records


# -- reporting -------------------------------------------------------------------------------
def _ms(x: float) -> str:
    return f"{x * 1e3:.2f}"


def _ratio_text(r: dict) -> str:
    return f"{r['value']:.2f}x [{r['low']:.2f}-{r['high']:.2f}]"


def geomeans(records: list[dict]) -> dict[str, dict]:
    """Geometric mean of each configuration's ratio, over workloads not tagged worst-case."""
    out: dict[str, dict] = {}
    for rec in records:
        if "worst-case" in rec["tags"]:
            continue
        for name, c in rec["configs"].items():
            if "ratio" in c:
                d = out.setdefault(name, {"baseline": c["baseline"], "ratios": []})
                d["ratios"].append(c["ratio"]["value"])
    for d in out.values():
        d["geomean"] = stats.geometric_mean(d["ratios"])
        d["workloads"] = len(d.pop("ratios"))
    return out


def format_table(result: dict) -> str:
    meta = result["meta"]
    lines = [f"suite {meta['suite']}: {meta['suite_description']}",
             f"{meta['reps']} repetitions, interleaved; {meta['python']} on {meta['machine']}; "
             f"jitnb {meta['jitnb']} (default threshold {meta['threshold']})",
             "median = the figure; q1-q3 and min-max = spread; ratio = median / baseline's median "
             "[95% paired bootstrap interval]", ""]
    head = f"{'workload':<20} {'configuration':<22} {'median ms':>10} {'q1-q3 ms':>17} " \
           f"{'min-max ms':>17}  {'ratio vs baseline':<30}"
    head = head.rstrip()
    lines += [head, "-" * len(head)]
    for rec in result["workloads"]:
        first = True
        for name, c in rec["configs"].items():
            s = c.get("summary")
            if not s:
                continue
            ratio = ""
            if "ratio" in c:
                ratio = f"{_ratio_text(c['ratio'])} vs {c['baseline']}"
            lines.append(f"{rec['name'] if first else '':<20} {c['label']:<22} {_ms(s['median']):>10} "
                         f"{_ms(s['q1']) + '-' + _ms(s['q3']):>17} "
                         f"{_ms(s['min']) + '-' + _ms(s['max']):>17}  {ratio}".rstrip())
            first = False
        notes = []
        info = rec.get("info") or {}
        if "loops_instrumented" in info:
            notes.append(f"loops instrumented {info['loops_instrumented']}, "
                         f"left to CPython {info['loops_left_to_cpython']}")
        if "most_called" in info:
            notes.append(f"most called {info['most_called']['function']} "
                         f"x{info['most_called']['calls']}")
        if rec.get("hot_loops"):
            notes.append("hot loops " + ", ".join(f"{k} {v}" for k, v in rec["hot_loops"].items()))
        if rec["params"]:
            notes.append("params " + ", ".join(f"{k}={v}" for k, v in rec["params"].items()))
        for name, why in rec["unavailable"].items():
            notes.append(f"{name}: n/a ({why})")
        for name, err in rec["errors"].items():
            notes.append(f"{name}: FAILED ({err})")
        for name, diff in rec["mismatches"].items():
            notes.append(f"{name}: RESULTS DIFFER ({'; '.join(diff[:3])})")
        notes += rec.get("warnings", [])
        if notes:
            lines.append(f"{'':<20} ({'; '.join(notes)})")
        lines.append("")
    gm = result.get("geomeans") or {}
    if gm:
        lines.append("geometric mean of the ratios (workloads not tagged worst-case):")
        for name, d in gm.items():
            lines.append(f"  {CONFIGS[name].label:<22} {d['geomean']:.2f}x vs {d['baseline']} "
                         f"({d['workloads']} workloads)")
    return "\n".join(lines).rstrip() + "\n"


def _git_commit() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=HERE, capture_output=True,
                             text=True, timeout=10)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=HERE,
                               capture_output=True, text=True, timeout=10)
        return out.stdout.strip() + ("+dirty" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return ""


def run(suite: Suite, reps: int = DEFAULT_REPS, name_filter: str | None = None,
        only: list[str] | None = None, progress: Callable[[str], None] = lambda s: None) -> dict:
    import jitnb
    from jitnb import params as _params
    workloads = [w for w in suite.workloads if not name_filter or name_filter in w.name]
    if not workloads:
        raise BenchError(f"no workload of suite {suite.name!r} matches {name_filter!r}")
    started = _dt.datetime.now(_dt.timezone.utc)
    records = measure(workloads, reps, only, progress)
    return {
        "meta": {
            "suite": suite.name, "suite_description": suite.description, "reps": reps,
            "unit": "seconds", "order": "interleaved; rotated by rep // 2, reversed on odd reps",
            "filter": name_filter, "configs": only,
            "started": started.isoformat(timespec="seconds"),
            "python": f"{platform.python_implementation()} {platform.python_version()}",
            "machine": f"{platform.machine()} {platform.system()}",
            "cpus": os.cpu_count(), "jitnb": jitnb.__version__,
            "threshold": _params.get().threshold, "commit": _git_commit(),
        },
        "workloads": records,
        "geomeans": geomeans(records),
    }


def default_json_path(suite: str) -> str:
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return os.path.join(RESULTS_DIR, f"{suite}-{stamp}.json")


def write_json(result: dict, path: str) -> None:
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=1)
        f.write("\n")


def main(argv: list[str] | None = None) -> int:
    from .suites import SUITES
    ap = argparse.ArgumentParser(prog="python -m bench",
                                 description="Measure jitnb against CPython, side by side.")
    ap.add_argument("suite", nargs="?", default="cold", choices=sorted(SUITES),
                    help="which suite to run (default: cold)")
    ap.add_argument("--reps", type=int, default=DEFAULT_REPS,
                    help=f"repetitions per workload and configuration (default {DEFAULT_REPS})")
    ap.add_argument("--filter", metavar="SUBSTR", help="only workloads whose name contains SUBSTR")
    ap.add_argument("--configs", metavar="A,B", help="only these configurations (comma-separated)")
    ap.add_argument("--json", metavar="PATH", help="where to write the results "
                    "(default bench/results/SUITE-TIMESTAMP.json)")
    ap.add_argument("--warmup", type=int, default=None, metavar="N",
                    help="hot suites: calls before the timed ones, reported apart "
                         "(default 1)")
    ap.add_argument("--call-limit", type=float, default=None, metavar="SECONDS",
                    help="hot suites: stop a configuration's calls of a kernel once one takes "
                         "longer (default 20)")
    ap.add_argument("--list", action="store_true", help="list the suite's workloads and exit")
    ap.add_argument("--quiet", action="store_true", help="no progress on stderr")
    ns = ap.parse_args(argv)
    if ns.reps < 1:
        ap.error("--reps must be at least 1")
    suite = SUITES[ns.suite]()
    from .hot import HotSuite
    if isinstance(suite, HotSuite):
        return _hot_main(ap, ns, suite)
    if ns.warmup is not None or ns.call_limit is not None:
        ap.error("--warmup and --call-limit apply to the hot suites only")
    if ns.list:
        for w in suite.workloads:
            print(f"{w.name:<20} {', '.join(w.configs)}  {w.description}")
        return 0
    only = [c.strip() for c in ns.configs.split(",") if c.strip()] if ns.configs else None
    if only:
        unknown = [c for c in only if c not in CONFIGS]
        if unknown:
            ap.error(f"unknown configuration(s): {', '.join(unknown)}; known: {', '.join(CONFIGS)}")

    def progress(msg: str) -> None:
        if not ns.quiet:
            print(f"[bench] {msg}", file=sys.stderr, flush=True)

    try:
        result = run(suite, ns.reps, ns.filter, only, progress)
    except BenchError as e:
        print(f"bench: {e}", file=sys.stderr)
        return 2
    sys.stdout.write(format_table(result))
    path = ns.json or default_json_path(suite.name)
    write_json(result, path)
    progress(f"results written to {path}")
    failed = any(r["errors"] or r["mismatches"] for r in result["workloads"])
    return 1 if failed else 0


def _hot_main(ap: argparse.ArgumentParser, ns: argparse.Namespace, suite) -> int:
    from . import hot
    if ns.list:
        for k in suite.kernels:
            print(f"{k.name:<16} n={k.arg:<10} {k.description}")
        return 0
    warmup = hot.DEFAULT_WARMUP if ns.warmup is None else ns.warmup
    if warmup < 0:
        ap.error("--warmup must be at least 0")
    only = [c.strip() for c in ns.configs.split(",") if c.strip()] if ns.configs else None
    if only:
        unknown = [c for c in only if c not in hot.HOT_CONFIGS]
        if unknown:
            ap.error(f"unknown configuration(s): {', '.join(unknown)}; "
                     f"known: {', '.join(hot.HOT_CONFIGS)}")

    def progress(msg: str) -> None:
        if not ns.quiet:
            print(f"[bench] {msg}", file=sys.stderr, flush=True)

    call_limit = hot.CALL_LIMIT if ns.call_limit is None else ns.call_limit
    if call_limit <= 0:
        ap.error("--call-limit must be positive")
    return hot.main(suite, ns.reps, warmup, ns.filter, only, ns.json, progress, call_limit)
