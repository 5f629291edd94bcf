"""The hot suite: steady-state speed of numeric kernels under CPython, jitnb, PyPy and C.

A kernel (bench/suites/hot.py) is a cell defining ``kernel(n)`` and one fixed
``n``.  Every configuration calls ``kernel(n)`` ``warmup + reps`` times and times
each call on its own; the first ``warmup`` calls (default 1) are the warm-up, the
``reps`` after them the steady state.

    cpython  the cell exec'd in this process; perf_counter_ns around each call
    jitnb    the cell run by jitnb.run(src, ns), so its loops are instrumented, and
             traced and compiled once hot; the same timing; jitnb's events are
             recorded call by call
    jitnb-nopeel  the same with ``enable_opts`` lacking the loop-peeling pass
             (``unroll``), for the paper's with/without-peeling comparison
    jitnb-a64, jitnb-x86emu  jitnb's AArch64 / x86_64 code run in Unicorn
    pypy     the same cell in a pypy3 subprocess (bench/pypy_harness.py), same timing
    c        bench/c/<kernel>.c built by gcc -O2 and timed inside, call by call
             (clock_gettime, see bench/c/harness.h)

An in-process configuration is stopped for a kernel once one of its calls takes more than
``CALL_LIMIT`` seconds (``--call-limit``), as the emulated ones may when every iteration
hands over to the JIT.

CPython and jitnb alternate call by call in this process (the order rotated and
reversed as in runner._order); PyPy and C run once per kernel in their own
process, all calls in a row.  A collection runs before every call, outside the timer.

Reported per kernel and configuration: the first call alone, the median of the
steady calls with their quartiles (never the minimum), and the whole run (all
calls summed).  Speedups are CPython's steady median over the configuration's
figure (> 1: faster than CPython), with a 95% bootstrap interval for steady medians;
per configuration the geometric mean of the steady speedups over the kernels, and
jitnb's over jitnb-nopeel's (what loop peeling gains).
Results are checked: jitnb's must be CPython's exactly (same type, same bits) on
every call; PyPy's and C's too, or for floats within a relative tolerance, which
is then noted.
"""
from __future__ import annotations

import datetime as _dt
import gc
import json
import os
import platform
import re
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable

from . import stats

HERE = os.path.dirname(os.path.abspath(__file__))
C_DIR = os.path.join(HERE, "c")
PYPY_HARNESS = os.path.join(HERE, "pypy_harness.py")
DEFAULT_WARMUP = 1
FLOAT_TOLERANCE = 1e-9          # relative; only for PyPy and C, never for jitnb
SUBPROCESS_TIMEOUT = 1800       # seconds for one kernel's PyPy or C process
TARGET_MS = (5.0, 50.0)         # what one CPython call of a kernel is sized to take
CALL_LIMIT = 20.0               # seconds: an in-process configuration slower than this per call
                                # is stopped for that kernel (its remaining calls are skipped)


@dataclass
class Kernel:
    """A cell defining ``entry`` and the one argument it is called with."""

    name: str
    source: str
    arg: int
    description: str = ""
    entry: str = "kernel"
    c_name: str = ""                # bench/c/<c_name>.c (default: the kernel's name)
    smoke_arg: int = 0              # a tiny argument, for the quick equality tests (0: none)
    tolerance: float = FLOAT_TOLERANCE

    @property
    def c_path(self) -> str:
        return os.path.join(C_DIR, (self.c_name or self.name) + ".c")

    @property
    def filename(self) -> str:
        return f"<hot:{self.name}>"


@dataclass
class HotSuite:
    name: str
    description: str
    kernels: list[Kernel] = field(default_factory=list)


class HotError(RuntimeError):
    pass


def _exc_text(e: BaseException) -> str:
    return "".join(traceback.format_exception_only(type(e), e)).strip()


# -- results ---------------------------------------------------------------------------------
def same_value(a: Any, b: Any) -> bool:
    """The same result: the same type and, for floats, the same bits."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return struct.pack("<d", a) == struct.pack("<d", b)
    return a == b


def compare(ref: Any, got: Any, tolerance: float) -> tuple[str, str]:
    """``("equal" | "close" | "differ", note)``: `got` against CPython's `ref`.

    "close" is only for floats within `tolerance` (relative), as a C or PyPy version
    doing the same operations in a different order would give.
    """
    if same_value(ref, got):
        return "equal", ""
    if isinstance(ref, float) and isinstance(got, float):
        scale = max(abs(ref), abs(got))
        rel = abs(got - ref) / scale if scale else 0.0
        if rel <= tolerance:
            return "close", (f"{got!r} vs CPython's {ref!r}: relative difference {rel:.1e} "
                             f"(within {tolerance:g})")
    return "differ", f"{got!r} ({type(got).__name__}) != CPython's {ref!r} ({type(ref).__name__})"


# -- jitnb's events --------------------------------------------------------------------------
class EventLog:
    """jitnb's events, kept apart for the definition (jitnb.run) and for every call.

    Only the rare kinds are subscribed to (``KINDS``): a hook on the kinds emitted at
    every hand-over (interp-enter, native-enter, guard-failed...) would slow down the
    very calls being timed.  What a call does per hand-over is read from the loops'
    own counters instead (``counters``, filled in by the trial).
    """

    KEEP = {"trace-compiled": "compiled", "trace-abort": "aborts", "blacklisted": "blacklisted",
            "not-jitable": "not_jitable", "loop-hot": "hot"}
    KINDS = frozenset(KEEP) | {"trace-start"}

    def __init__(self) -> None:
        self.define = self._phase()
        self.calls: list[dict] = []
        self.cur = self.define

    @staticmethod
    def _phase() -> dict:
        return {"counts": Counter(), "compiled": [], "aborts": [], "blacklisted": [],
                "not_jitable": [], "hot": [], "counters": {}}

    def begin_call(self) -> None:
        self.cur = self._phase()
        self.calls.append(self.cur)

    def hook(self, e) -> None:
        cur = self.cur
        cur["counts"][e.kind] += 1
        key = self.KEEP.get(e.kind)
        if key:
            cur[key].append(e.data())


def _median_int(xs: list[int]) -> float:
    return statistics.median(xs) if xs else 0


def summarize_events(log: EventLog, warmup: int, loops: dict[int, dict]) -> dict:
    """What jitnb did for one kernel: traces, aborts and their reasons, time spent, hand-overs."""
    phases = [log.define] + log.calls
    compiled = [c for p in phases for c in p["compiled"]]
    aborts = [a for p in phases for a in p["aborts"]]
    reasons: Counter = Counter((a["loop"], a["line"], a["reason"]) for a in aborts)
    steady = log.calls[warmup:]

    def per_steady_call(what: str) -> float | None:
        xs = [p["counters"].get(what) for p in steady]
        return _median_int(xs) if xs and None not in xs else None

    counts: Counter = Counter()
    for p in phases:
        counts.update(p["counts"])
    first = [log.define] + log.calls[:1]
    return {
        "loops": loops,
        "traces_compiled": len(compiled),
        "traces_compiled_first_call": sum(len(p["compiled"]) for p in first),
        "traces_compiled_after_warmup": sum(len(p["compiled"]) for p in steady),
        "traces_aborted": len(aborts),
        "abort_reasons": [{"loop": lp, "loop_line": loops.get(lp, {}).get("line"),
                           "line": line, "reason": reason, "count": n}
                          for (lp, line, reason), n in reasons.most_common()],
        "blacklisted": [dict(b, loop_line=loops.get(b["loop"], {}).get("line"))
                        for p in phases for b in p["blacklisted"]],
        "not_jitable": [n for p in phases for n in p["not_jitable"]],
        "hot_loops": sorted({h["loop"] for p in phases for h in p["hot"]}),
        "targets": sorted({c["target"] for c in compiled}),
        "compiled": compiled,
        "seconds": {"record": sum(c["t_record"] for c in compiled),
                    "optimise": sum(c["t_optimise"] for c in compiled),
                    "assemble": sum(c["t_assemble"] for c in compiled),
                    "aborted_tracing": sum(a["seconds"] for a in aborts)},
        "per_steady_call": {"hand_overs": per_steady_call("hand_overs"),
                            "native_entries": per_steady_call("native_entries"),
                            "guard_failures": per_steady_call("guard_failures"),
                            "traces_started": _median_int([p["counts"]["trace-start"]
                                                           for p in steady])},
        "per_call": [dict(p["counters"], traces_started=p["counts"]["trace-start"],
                          traces_compiled=len(p["compiled"]), traces_aborted=len(p["aborts"]))
                     for p in log.calls],
        "event_counts": dict(counts),
    }


# -- configurations --------------------------------------------------------------------------
class HotConfig:
    """A way of running a kernel.  In-process ones give a trial to call; the others a
    whole run of all calls in their own process (``measure``)."""

    name = ""
    label = ""
    in_process = True

    def available(self) -> str | None:
        """None when the configuration can run here, else the reason it cannot."""
        return None

    def unavailable_for(self, kernel: Kernel) -> str | None:
        return None

    def version(self) -> str:
        return ""

    def prepare(self, kernel: Kernel) -> "Trial":
        raise NotImplementedError

    def measure(self, kernel: Kernel, calls: int, workdir: str) -> dict:
        raise NotImplementedError


class Trial:
    """A kernel defined in this process; ``call()`` -> (nanoseconds, result)."""

    info: dict = {}
    log: EventLog | None = None

    def __init__(self, fn: Callable, arg: Any):
        self.fn, self.arg = fn, arg

    def call(self) -> tuple[int, Any]:
        fn, arg = self.fn, self.arg
        gc.collect()
        t0 = time.perf_counter_ns()
        r = fn(arg)
        t1 = time.perf_counter_ns()
        return t1 - t0, r


class CPython(HotConfig):
    name, label = "cpython", "CPython"

    def version(self) -> str:
        return f"{platform.python_implementation()} {platform.python_version()}"

    def prepare(self, kernel: Kernel) -> Trial:
        ns: dict = {"__name__": "__main__"}
        exec(compile(kernel.source, kernel.filename, "exec"), ns)
        return Trial(ns[kernel.entry], kernel.arg)


class _JitnbTrial(Trial):
    def __init__(self, kernel: Kernel, params: dict):
        import jitnb
        from jitnb import events
        self.log = EventLog()
        ns: dict = {"__name__": "__main__"}
        unsubscribe = events.subscribe(self.log.hook)
        try:
            run = jitnb.run(kernel.source, ns, filename=kernel.filename, **params)
        finally:
            unsubscribe()
        self.run = run
        self.info = {"loops_instrumented": len(run.loops), "loops_left_to_cpython": len(run.rejects),
                     "left_to_cpython": [{"scope": s, "line": line, "reason": r}
                                         for s, line, r in run.rejects]}
        super().__init__(ns[kernel.entry], kernel.arg)

    def loops(self) -> dict[int, dict]:
        return {lp.id: {"scope": lp.scope, "line": lp.line, "blacklisted": lp.blacklisted,
                        "compiled": lp.compiled is not None, "hand_overs": lp.hot_count}
                for lp in self.run.loops}

    def counters(self) -> dict[str, int | None]:
        """Totals over the kernel's loops: hand-overs to jitnb, machine-code entries, guard
        failures (None where this jitnb does not keep the count)."""
        out: dict[str, int | None] = {"hand_overs": 0, "native_entries": 0, "guard_failures": 0}
        for lp in self.run.loops:
            c = getattr(lp, "compiled", None)
            for key, n in (("hand_overs", getattr(lp, "hot_count", None)),
                           ("native_entries", 0 if c is None else getattr(c, "entries", None)),
                           ("guard_failures", 0 if c is None else
                            _sum_failures(getattr(c, "guards", None)))):
                out[key] = None if n is None or out[key] is None else out[key] + n
        return out

    def call(self) -> tuple[int, Any]:
        from jitnb import events
        assert self.log is not None
        self.log.begin_call()
        before = self.counters()
        unsubscribe = events.subscribe(self.log.hook, EventLog.KINDS)
        try:
            return super().call()
        finally:
            unsubscribe()
            after = self.counters()
            self.log.cur["counters"] = {k: None if after[k] is None or before[k] is None
                                        else after[k] - before[k] for k in after}


def _sum_failures(guards) -> int | None:
    try:
        return sum(g.failures for g in guards)
    except (TypeError, AttributeError):
        return None


class Jitnb(HotConfig):
    name, label = "jitnb", "jitnb"
    params: dict = {}               # jitnb parameters for jitnb.run (none: the defaults)

    def version(self) -> str:
        import jitnb
        from jitnb import params
        p = params.get().with_(**self.params)
        return f"jitnb {jitnb.__version__} (threshold {p.threshold}, enable_opts {p.enable_opts})"

    def prepare(self, kernel: Kernel) -> Trial:
        return _JitnbTrial(kernel, self.params)


def _parse_process_output(stdout: str, calls: int) -> dict:
    lines = [ln for ln in stdout.splitlines() if ln.strip()]
    if not lines:
        raise HotError("no output")
    out = json.loads(lines[-1])
    if out.get("type") == "float":
        out["result"] = float(out["result"])
    times = out.get("times_ns")
    if not isinstance(times, list) or len(times) != calls:
        raise HotError(f"expected {calls} timings, got {times!r:.80}")
    return out


def _run_process(argv: list[str], stdin: str | None, calls: int) -> dict:
    try:
        proc = subprocess.run(argv, input=stdin, capture_output=True, text=True,
                              timeout=SUBPROCESS_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise HotError(f"timed out after {SUBPROCESS_TIMEOUT} s") from None
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise HotError(f"exit status {proc.returncode}: {tail}")
    return _parse_process_output(proc.stdout, calls)


class PyPy(HotConfig):
    name, label, in_process = "pypy", "PyPy", False
    executable = "pypy3"
    _version: str | None = None

    def exe(self) -> str | None:
        return shutil.which(self.executable)

    def available(self) -> str | None:
        return None if self.exe() else f"{self.executable} is not on PATH"

    def version(self) -> str:
        if self._version is None:
            self._version = ""
            exe = self.exe()
            if exe:
                try:
                    out = subprocess.run(
                        [exe, "-c", "import sys, platform; v = sys.pypy_version_info; "
                         "print('PyPy %d.%d.%d (Python %s)' % (v.major, v.minor, v.micro, "
                         "platform.python_version()))"],
                        capture_output=True, text=True, timeout=60)
                    self._version = out.stdout.strip()
                except (OSError, subprocess.SubprocessError):
                    pass
        return self._version

    def measure(self, kernel: Kernel, calls: int, workdir: str) -> dict:
        exe = self.exe()
        if not exe:
            raise HotError(self.available() or "pypy3 missing")
        spec = {"name": kernel.name, "source": kernel.source, "entry": kernel.entry,
                "arg": kernel.arg, "calls": calls}
        return _run_process([exe, PYPY_HARNESS], json.dumps(spec), calls)


class C(HotConfig):
    name, label, in_process = "c", "C -O2", False
    compiler = "gcc"
    flags = ("-O2", "-std=c11", "-ffp-contract=off")
    _version: str | None = None

    def exe(self) -> str | None:
        return shutil.which(self.compiler)

    def available(self) -> str | None:
        return None if self.exe() else f"{self.compiler} is not on PATH"

    def unavailable_for(self, kernel: Kernel) -> str | None:
        if not os.path.exists(kernel.c_path):
            return f"no C version ({os.path.relpath(kernel.c_path, os.path.dirname(HERE))})"
        return None

    def version(self) -> str:
        if self._version is None:
            self._version = ""
            exe = self.exe()
            if exe:
                try:
                    out = subprocess.run([exe, "-dumpfullversion"], capture_output=True,
                                         text=True, timeout=60)
                    self._version = f"{self.compiler} {out.stdout.strip()} {' '.join(self.flags)}"
                except (OSError, subprocess.SubprocessError):
                    pass
        return self._version

    def build(self, kernel: Kernel, workdir: str) -> str:
        binary = os.path.join(workdir, kernel.c_name or kernel.name)
        if not os.path.exists(binary):
            argv = [self.exe() or self.compiler, *self.flags, "-o", binary, kernel.c_path, "-lm"]
            proc = subprocess.run(argv, capture_output=True, text=True, timeout=300)
            if proc.returncode != 0:
                raise HotError(f"{' '.join(argv)} failed: {proc.stderr.strip()[-300:]}")
        return binary

    def measure(self, kernel: Kernel, calls: int, workdir: str) -> dict:
        binary = self.build(kernel, workdir)
        return _run_process([binary, str(kernel.arg), str(calls)], None, calls)


NO_PEELING_OPTS = "fold:intbounds:cse:heap:virtualize"


class JitnbNoPeeling(Jitnb):
    """jitnb with every optimisation but loop peeling (``unroll``), as the paper's baseline."""
    name, label = "jitnb-nopeel", "jitnb no peel"
    params = {"enable_opts": NO_PEELING_OPTS}


class JitnbAArch64(Jitnb):
    """jitnb's AArch64 code, run in Unicorn on this machine (unless it is an AArch64 host)."""
    name, label = "jitnb-a64", "jitnb aarch64"
    params = {"arch": "aarch64"}


class JitnbX86Emulated(Jitnb):
    """jitnb's x86_64 code run in Unicorn (the safe mode)."""
    name, label = "jitnb-x86emu", "jitnb x86 emul."
    params = {"emulate": True}


HOT_CONFIGS: dict[str, HotConfig] = {c.name: c for c in (
    CPython(), Jitnb(), JitnbNoPeeling(), JitnbAArch64(), JitnbX86Emulated(), PyPy(), C())}


# -- measuring -------------------------------------------------------------------------------
def _config_record(cfg: HotConfig, times_ns: list[int], warmup: int) -> dict:
    steady = times_ns[warmup:]
    rec = {"label": cfg.label, "in_process": cfg.in_process, "times_ns": times_ns,
           "warmup_calls": min(warmup, len(times_ns)), "first_ns": times_ns[0],
           "steady_ns": steady, "whole_run_ns": sum(times_ns)}
    if steady:
        rec["summary"] = stats.summarize([t / 1e9 for t in steady]).as_dict()
    return rec


def _add_speedups(rec: dict) -> None:
    base = rec["configs"].get("cpython")
    if not base or not base["steady_ns"]:
        return
    base_median = statistics.median(base["steady_ns"])
    for name, c in rec["configs"].items():
        if name == "cpython" or not c["steady_ns"]:
            continue
        paired = c["in_process"] and len(c["steady_ns"]) == len(base["steady_ns"])
        sp = {"steady": stats.ratio_of_medians(base["steady_ns"], c["steady_ns"],
                                               paired=paired).as_dict(),
              "first_call": base_median / c["first_ns"]}
        if len(c["times_ns"]) == len(base["times_ns"]):
            sp["whole_run"] = base["whole_run_ns"] / c["whole_run_ns"]
        c["speedup"] = sp


def measure_kernel(kernel: Kernel, configs: list[HotConfig], warmup: int, reps: int,
                   workdir: str, progress: Callable[[str], None] = lambda s: None,
                   call_limit: float = CALL_LIMIT) -> dict:
    """Measure one kernel under the configurations; returns its record (plain data).

    An in-process configuration whose call takes more than `call_limit` seconds makes
    no more calls of this kernel (``rec["stopped"]`` says after which call)."""
    from .runner import _order
    calls = warmup + reps
    rec: dict[str, Any] = {"name": kernel.name, "description": kernel.description,
                           "arg": kernel.arg, "entry": kernel.entry, "calls": calls,
                           "warmup": warmup, "configs": {}, "unavailable": {}, "errors": {},
                           "mismatches": {}, "close": {}, "notes": [], "results": {},
                           "stopped": {}}
    trials: dict[str, Trial] = {}
    by_name = {cfg.name: cfg for cfg in configs}
    for cfg in configs:
        why = cfg.available() or cfg.unavailable_for(kernel)
        if why:
            rec["unavailable"][cfg.name] = why
            continue
        if cfg.in_process:
            progress(f"{kernel.name}: defining under {cfg.name}")
            try:
                trials[cfg.name] = cfg.prepare(kernel)
            except Exception as e:
                rec["errors"][cfg.name] = f"definition: {_exc_text(e)}"
    times: dict[str, list[int]] = {n: [] for n in trials}
    results: dict[str, list[Any]] = {n: [] for n in trials}
    progress(f"{kernel.name}: {calls} calls each, alternating: {', '.join(trials) or 'none'}")
    for c in range(calls):
        for name in _order(list(trials), c):
            if name in rec["errors"] or name in rec["stopped"]:
                continue
            try:
                ns, r = trials[name].call()
            except Exception as e:
                rec["errors"][name] = f"call {c + 1}: {_exc_text(e)}"
                progress(f"  error: {kernel.name} / {name}: {rec['errors'][name]}")
                continue
            times[name].append(ns)
            results[name].append(r)
            if ns > call_limit * 1e9:
                rec["stopped"][name] = (f"stopped after call {c + 1} of {calls}: it took "
                                        f"{ns / 1e9:.1f} s, over the {call_limit:g} s limit")
                progress(f"  {kernel.name} / {name}: {rec['stopped'][name]}")

    # the reference result: CPython's first call (or one untimed call when CPython is not measured)
    if results.get("cpython"):
        ref = results["cpython"][0]
    else:
        try:
            ref = CPython().prepare(kernel).call()[1]
        except Exception as e:
            rec["errors"]["reference"] = f"plain CPython call: {_exc_text(e)}"
            ref = None
    rec["results"]["cpython"] = repr(ref)
    for name, rs in results.items():
        bad = [f"call {i + 1}: {r!r} ({type(r).__name__}) != CPython's {ref!r} "
               f"({type(ref).__name__})" for i, r in enumerate(rs) if not same_value(r, ref)]
        if bad:
            rec["mismatches"][name] = bad
        if rs:
            rec["results"][name] = repr(rs[-1])
    for name, ts in times.items():
        if ts:
            rec["configs"][name] = _config_record(by_name[name], ts, warmup)
    # "jitnb": what the default configuration did (or the first jitnb one measured);
    # "jitnb_configs": the same for every jitnb configuration, by name
    for name, trial in trials.items():
        if isinstance(trial, _JitnbTrial) and trial.log is not None:
            j = summarize_events(trial.log, warmup, trial.loops())
            j["left_to_cpython"] = trial.info["left_to_cpython"]
            j["loops_instrumented"] = trial.info["loops_instrumented"]
            rec.setdefault("jitnb_configs", {})[name] = j
    if rec.get("jitnb_configs"):
        by_config = rec["jitnb_configs"]
        rec["jitnb"] = by_config.get("jitnb") or next(iter(by_config.values()))

    for cfg in configs:
        if cfg.in_process or cfg.name in rec["unavailable"]:
            continue
        progress(f"{kernel.name}: {calls} calls under {cfg.name} (own process)")
        try:
            out = cfg.measure(kernel, calls, workdir)
        except Exception as e:
            rec["errors"][cfg.name] = _exc_text(e)
            progress(f"  error: {kernel.name} / {cfg.name}: {rec['errors'][cfg.name]}")
            continue
        rec["configs"][cfg.name] = _config_record(cfg, out["times_ns"], warmup)
        for k in ("implementation", "python", "clock"):
            if k in out:
                rec["configs"][cfg.name][k] = out[k]
        got = out["result"]
        rec["results"][cfg.name] = repr(got)
        if not out.get("consistent", True):
            rec["mismatches"][cfg.name] = ["the calls did not all return the same result"]
        if "reference" not in rec["errors"]:
            verdict, note = compare(ref, got, kernel.tolerance)
            if verdict == "differ":
                rec["mismatches"].setdefault(cfg.name, []).append(note)
            elif verdict == "close":
                rec["close"][cfg.name] = note

    _add_speedups(rec)
    base = rec["configs"].get("cpython")
    if base and base["steady_ns"]:
        ms = statistics.median(base["steady_ns"]) / 1e6
        if not TARGET_MS[0] <= ms <= TARGET_MS[1]:
            rec["notes"].append(f"CPython's median {ms:.1f} ms is outside the "
                                f"{TARGET_MS[0]:.0f}-{TARGET_MS[1]:.0f} ms n is sized for")
    return rec


SPEEDUP_COLUMNS = (("jitnb", "steady", "jitnb"), ("jitnb", "first_call", "jitnb 1st"),
                   ("jitnb", "whole_run", "jitnb run"), ("jitnb-nopeel", "steady", "no peel"),
                   ("jitnb-a64", "steady", "a64 emul."), ("jitnb-x86emu", "steady", "x86 emul."),
                   ("pypy", "steady", "PyPy"), ("pypy", "first_call", "PyPy 1st"),
                   ("c", "steady", "C -O2"))
PEELING = ("jitnb", "jitnb-nopeel")     # (with, without) loop peeling


def _speedup_value(rec: dict, config: str, kind: str) -> float | None:
    sp = rec["configs"].get(config, {}).get("speedup", {}).get(kind)
    if sp is None:
        return None
    return sp["value"] if isinstance(sp, dict) else sp


def geomeans(records: list[dict]) -> dict[str, dict]:
    """Geometric mean of each speedup column over the kernels that have it."""
    out: dict[str, dict] = {}
    for config, kind, _ in SPEEDUP_COLUMNS:
        xs = [v for r in records if (v := _speedup_value(r, config, kind)) is not None]
        if xs:
            out[f"{config}:{kind}"] = {"config": config, "kind": kind,
                                       "geomean": stats.geometric_mean(xs), "kernels": len(xs)}
    return out


def peeling(records: list[dict]) -> dict | None:
    """What loop peeling gains: per kernel the steady speedup with peeling over the one
    without, and the geometric means over the kernels measured both ways (None: none was)."""
    with_, without = PEELING
    both = {}
    for r in records:
        a, b = _speedup_value(r, with_, "steady"), _speedup_value(r, without, "steady")
        if a is not None and b is not None:
            both[r["name"]] = (a, b)
    if not both:
        return None
    gm_with = stats.geometric_mean([a for a, _ in both.values()])
    gm_without = stats.geometric_mean([b for _, b in both.values()])
    return {"with": with_, "without": without, "kernels": len(both),
            "per_kernel": {k: a / b for k, (a, b) in both.items()},
            "geomean_with": gm_with, "geomean_without": gm_without,
            "ratio": gm_with / gm_without}


def run(suite: HotSuite, reps: int, warmup: int = DEFAULT_WARMUP, name_filter: str | None = None,
        only: list[str] | None = None, progress: Callable[[str], None] = lambda s: None,
        call_limit: float = CALL_LIMIT) -> dict:
    from .runner import BenchError, _git_commit
    kernels = [k for k in suite.kernels if not name_filter or name_filter in k.name]
    if not kernels:
        raise BenchError(f"no kernel of suite {suite.name!r} matches {name_filter!r}")
    if reps < 1 or warmup < 0:
        raise BenchError("reps must be at least 1 and warmup at least 0")
    configs = [c for n, c in HOT_CONFIGS.items() if not only or n in only]
    started = _dt.datetime.now(_dt.timezone.utc)
    with tempfile.TemporaryDirectory(prefix="jitnb-hot-") as workdir:
        records = [measure_kernel(k, configs, warmup, reps, workdir, progress, call_limit)
                   for k in kernels]
    versions = {c.name: (c.version() if not c.available() else "") for c in configs}
    return {
        "meta": {
            "suite": suite.name, "suite_description": suite.description, "reps": reps,
            "warmup": warmup, "calls_per_config": warmup + reps, "unit": "nanoseconds",
            "order": "CPython and jitnb alternate call by call (rotated by call // 2, reversed "
                     "on odd calls); PyPy and C in their own process, all calls in a row",
            "figure": "median of the steady calls (after the warm-up); spread q1-q3",
            "speedup": "CPython's steady median / the configuration's figure",
            "filter": name_filter, "configs": [c.name for c in configs],
            "started": started.isoformat(timespec="seconds"),
            "python": f"{platform.python_implementation()} {platform.python_version()}",
            "machine": f"{platform.machine()} {platform.system()}", "cpus": os.cpu_count(),
            "versions": versions, "commit": _git_commit(),
            "float_tolerance_pypy_c": FLOAT_TOLERANCE, "call_limit_s": call_limit,
        },
        "kernels": records,
        "geomeans": geomeans(records),
        "peeling": peeling(records),
    }


# -- reporting -------------------------------------------------------------------------------
def _ms(ns: float) -> str:
    v = ns / 1e6
    if v >= 100:
        return f"{v:.0f}"
    if v >= 10:
        return f"{v:.1f}"
    if v >= 1:
        return f"{v:.2f}"
    return f"{v:.3f}"


def _x(v: float | None) -> str:
    if v is None:
        return "-"
    return f"{v:.0f}x" if v >= 100 else f"{v:.3g}x"


def _count(n: float | None, what: str, plural: str = "") -> str:
    if n is None:
        return f"? {plural or what + 's'}"
    n = int(n) if float(n).is_integer() else n
    return f"{n} {what}" if n == 1 else f"{n} {plural or what + 's'}"


def _short(commit: str) -> str:
    if not commit:
        return "?"
    return commit[:12] + ("+dirty (uncommitted changes)" if commit.endswith("+dirty") else "")


def _per_hand_over(rec: dict) -> str:
    """A steady call's median time per hand-over, when hand-overs are what the call is made of."""
    n = rec["jitnb"]["per_steady_call"]["hand_overs"]
    c = rec["configs"].get("jitnb")
    if not n or n < 100 or not c or "summary" not in c:
        return ""
    return f" (median call / hand-overs = {c['summary']['median'] * 1e6 / n:.1f} us each)"


def format_report(result: dict) -> str:
    meta = result["meta"]
    v = meta["versions"]
    lines = [f"suite {meta['suite']}: {meta['suite_description']}",
             f"{meta['warmup']} warm-up + {meta['reps']} timed calls per kernel and configuration; "
             "CPython and jitnb alternate call by call, PyPy and C run in their own process",
             "; ".join(x for x in (v.get("cpython"), v.get("jitnb"), v.get("pypy"), v.get("c")) if x)
             + f"; {meta['machine']}, {meta['cpus']} cpus; commit {_short(meta['commit'])}",
             "first = the first call alone (for jitnb: tracing and compiling included); median and "
             "q1-q3 = the calls after the warm-up; run = all calls summed",
             "speedup = CPython's median / the configuration's median [95% bootstrap interval]; "
             "1st = CPython's median / the first call", ""]
    head = (f"{'kernel':<17} {'n':>9}  {'configuration':<13} {'first ms':>9} {'median ms':>10} "
            f"{'q1-q3 ms':>17} {'IQR ms':>8} {'run ms':>8}  {'speedup':<26} {'1st':>7}")
    lines += [head, "-" * len(head)]
    for rec in result["kernels"]:
        first_row = True
        for name, c in rec["configs"].items():
            s = c.get("summary")
            if not s:
                lines.append(f"{rec['name'] if first_row else '':<17} "
                             f"{rec['arg'] if first_row else '':>9}  {c['label']:<13} "
                             f"{_ms(c['first_ns']):>9}  (no steady calls)")
                first_row = False
                continue
            sp = c.get("speedup", {})
            st = sp.get("steady")
            speed = f"{_x(st['value'])} [{_x(st['low'])[:-1]}-{_x(st['high'])}]" if st else ""
            first_sp = _x(sp["first_call"]) if "first_call" in sp else ""
            flag = "  RESULT DIFFERS" if name in rec["mismatches"] else ""
            lines.append(
                f"{rec['name'] if first_row else '':<17} {rec['arg'] if first_row else '':>9}  "
                f"{c['label']:<13} {_ms(c['first_ns']):>9} "
                f"{_ms(s['median'] * 1e9):>10} "
                f"{_ms(s['q1'] * 1e9) + '-' + _ms(s['q3'] * 1e9):>17} {_ms(s['iqr'] * 1e9):>8} "
                f"{_ms(c['whole_run_ns']):>8}  {speed:<26} {first_sp:>7}{flag}".rstrip())
            first_row = False
        if first_row:
            lines.append(f"{rec['name']:<17} {rec['arg']:>9}  (nothing measured)")
        notes = []
        for name, why in rec["unavailable"].items():
            notes.append(f"{name}: n/a ({why})")
        for name, err in rec["errors"].items():
            notes.append(f"{name}: FAILED ({err})")
        for name, why in rec.get("stopped", {}).items():
            notes.append(f"{name}: {why}")
        for name, note in rec["close"].items():
            notes.append(f"{name}: result within tolerance, not bit-equal: {note}")
        notes += rec["notes"]
        for note in notes:
            lines.append(f"{'':<17} {'':>9}  ({note})")
    lines.append("")

    # speedups, one row per kernel, and the geometric means
    cols = [(cfg, kind, title) for cfg, kind, title in SPEEDUP_COLUMNS
            if any(_speedup_value(r, cfg, kind) is not None for r in result["kernels"])]
    if cols:
        lines.append("speedup over CPython (CPython's median / the figure; above 1 = faster "
                     "than CPython)")
        head = f"{'kernel':<18}" + "".join(f"{t:>11}" for _, _, t in cols)
        lines += [head, "-" * len(head)]
        for rec in result["kernels"]:
            lines.append(f"{rec['name']:<18}" + "".join(
                f"{_x(_speedup_value(rec, cfg, kind)):>11}" for cfg, kind, _ in cols))
        gm = result["geomeans"]
        lines.append(f"{'geometric mean':<18}" + "".join(
            f"{_x(gm[f'{cfg}:{kind}']['geomean']) if f'{cfg}:{kind}' in gm else '-':>11}"
            for cfg, kind, _ in cols))
        lines.append("")
        lines += _geomean_lines(result)

    jit = [r for r in result["kernels"] if r.get("jitnb")]
    if jit:
        lines.append("jitnb, per kernel: traces compiled and aborted (with the reasons), time in the "
                     "JIT, and what a steady call still does")
        for rec in jit:
            lines += _jitnb_lines(rec)
            lines += _other_jitnb_lines(rec)
        lines.append("")
        lines += _abort_lines(jit)

    bad = [(r["name"], name, diff) for r in result["kernels"] for name, diff in r["mismatches"].items()]
    if bad:
        lines.append("!" * 78)
        lines.append("!!! RESULTS DIFFER FROM CPYTHON: correctness bugs, not performance figures")
        for kernel, name, diff in bad:
            more = f" (and {len(diff) - 3} more)" if len(diff) > 3 else ""
            lines.append(f"!!! {kernel} / {name}: {'; '.join(diff[:3])}{more}")
        lines.append("!" * 78)
    else:
        checked = sorted({n for r in result["kernels"] for n in r["configs"]} - {"cpython"})
        lines.append("results: every call of " + (", ".join(checked) or "nothing")
                     + " returned CPython's result" + (" (PyPy and C: bit-equal or within the "
                                                      "tolerance noted)" if
                                                      any(r["close"] for r in result["kernels"])
                                                      else " bit for bit"))
    return "\n".join(lines).rstrip() + "\n"


def _geomean_lines(result: dict) -> list[str]:
    """The geometric mean of the steady speedups per configuration, and peeling's gain."""
    gm = result["geomeans"]
    total = len(result["kernels"])
    out = ["geometric mean of the steady speedups over CPython, per configuration:"]
    for cfg, kind, _ in SPEEDUP_COLUMNS:
        g = gm.get(f"{cfg}:{kind}")
        if kind == "steady" and g:
            out.append(f"  {cfg:<14} {_x(g['geomean']):>8}  over {g['kernels']} of {total} kernels")
    pe = result.get("peeling")
    if pe:
        out.append(f"loop peeling: {pe['with']} {_x(pe['geomean_with'])} vs {pe['without']} "
                   f"{_x(pe['geomean_without'])} (geometric means over the {pe['kernels']} kernels "
                   f"measured both ways): with/without = {pe['ratio']:.3f}")
        out.append("  per kernel, with/without: " + ", ".join(
            f"{k} {v:.2f}" for k, v in pe["per_kernel"].items()))
    else:
        out.append(f"loop peeling: not measured (needs both {PEELING[0]} and {PEELING[1]})")
    out.append("")
    return out


def _abort_lines(records: list[dict]) -> list[str]:
    """jitnb's abort reasons over the whole suite, the most widespread first: what to support next."""
    kernels: dict[str, list[str]] = {}
    for rec in records:
        for a in rec["jitnb"]["abort_reasons"]:
            names = kernels.setdefault(re.sub(r"line \d+", "line N", a["reason"]), [])
            if rec["name"] not in names:
                names.append(rec["name"])
    if not kernels:
        return []
    out = ["jitnb's abort reasons over the suite (line numbers folded), by the kernels they hit:"]
    for reason, names in sorted(kernels.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        out.append(f"  {len(names):>2} {reason}: {', '.join(names)}")
    out.append("")
    return out


def _other_jitnb_lines(rec: dict) -> list[str]:
    """One line for each jitnb configuration but the main one: what it compiled and aborted."""
    out = []
    main = rec["jitnb"]
    configs = rec.get("jitnb_configs") or {}
    main_name = "jitnb" if "jitnb" in configs else next(iter(configs), None)
    for name, j in configs.items():
        if name == main_name:
            continue
        reasons = sorted({a["reason"] for a in j["abort_reasons"]})
        out.append(f"{'':20}{name}: compiled {j['traces_compiled']}, aborted "
                   f"{j['traces_aborted']}, blacklisted {len(j['blacklisted'])}"
                   + (f" ({'; '.join(reasons)})" if reasons and reasons != sorted(
                       {a['reason'] for a in main['abort_reasons']}) else ""))
    return out


def _jitnb_lines(rec: dict) -> list[str]:
    j = rec["jitnb"]
    sec = j["seconds"]
    ps = j["per_steady_call"]
    head = (f"compiled {j['traces_compiled']} (first call {j['traces_compiled_first_call']}, "
            f"after warm-up {j['traces_compiled_after_warmup']}), aborted {j['traces_aborted']}, "
            f"blacklisted {len(j['blacklisted'])}; "
            f"record {sec['record'] * 1e3:.2f} ms, optimise {sec['optimise'] * 1e3:.2f} ms, "
            f"assemble {sec['assemble'] * 1e3:.2f} ms, aborted tracing "
            f"{sec['aborted_tracing'] * 1e3:.2f} ms")
    out = [f"  {rec['name']:<17} {head}"]
    pad = " " * 20
    out.append(f"{pad}loops instrumented {j['loops_instrumented']}, hot {len(j['hot_loops'])}"
               + (f", compiled for {', '.join(j['targets'])}" if j["targets"] else "")
               + f"; per steady call: {_count(ps['hand_overs'], 'hand-over')} to jitnb, "
                 f"{_count(ps['native_entries'], 'machine-code entry', 'machine-code entries')}, "
                 f"{_count(ps['guard_failures'], 'guard failure')}, "
                 f"{_count(ps['traces_started'], 'trace')} started"
               + _per_hand_over(rec))
    for a in j["abort_reasons"]:
        where = f"loop at line {a['loop_line']}" if a["loop_line"] is not None else f"loop {a['loop']}"
        out.append(f"{pad}abort x{a['count']}: {where}: {a['reason']} (line {a['line']})")
    for b in j["blacklisted"]:
        where = f"loop at line {b['loop_line']}" if b["loop_line"] is not None else f"loop {b['loop']}"
        out.append(f"{pad}blacklisted: {where}: {b['reason']}")
    for n in j["left_to_cpython"]:
        out.append(f"{pad}left to CPython: {n['scope']}, line {n['line']}: {n['reason']}")
    if not j["traces_compiled"] and not j["traces_aborted"] and not j["hot_loops"]:
        counters = ", with jitnb's loop counters" if j["loops_instrumented"] else ""
        out.append(f"{pad}(nothing was traced: the kernel ran as CPython bytecode{counters})")
    elif j["loops_instrumented"] and ps["hand_overs"] == 0 and not ps["native_entries"]:
        out.append(f"{pad}(steady calls run no machine code: CPython bytecode with jitnb's loop "
                   "counters)")
    return out


def write_json(result: dict, path: str) -> None:
    from .runner import write_json as _write
    _write(result, path)


def default_json_path(suite: str) -> str:
    from .runner import default_json_path as _path
    return _path(suite)


def main(suite: HotSuite, reps: int, warmup: int, name_filter: str | None, only: list[str] | None,
         json_path: str | None, progress: Callable[[str], None],
         call_limit: float = CALL_LIMIT) -> int:
    """``python -m bench hot``: measure, print the report, write the JSON; 1 on errors or
    differing results, 2 when nothing matches the filter."""
    from .runner import BenchError
    try:
        result = run(suite, reps, warmup, name_filter, only, progress, call_limit)
    except BenchError as e:
        print(f"bench: {e}", file=sys.stderr)
        return 2
    sys.stdout.write(format_report(result))
    path = json_path or default_json_path(suite.name)
    write_json(result, path)
    progress(f"results written to {path}")
    failed = any(r["errors"] or r["mismatches"] for r in result["kernels"])
    return 1 if failed else 0
