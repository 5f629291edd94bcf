"""Configurations a workload can be measured under.

A configuration turns a workload into a ``Trial``; ``Trial.run()`` performs one
repetition and returns the seconds of its timed part only.  Everything a user
would not pay for in that configuration (a fresh namespace, the workload's setup,
resetting loop counters, a garbage collection) happens outside the timer.

    cpython         compile(src) + exec in a fresh namespace (what a plain cell costs)
    jitnb           jitnb.run(src, ns): parse, instrument, compile and run (what %%jit costs)
    cpython-exec    exec of code compiled beforehand
    jitnb-exec      exec of code instrumented and compiled beforehand (the counters alone)
    ipython         a plain cell through InteractiveShell.run_cell
    ipython-jit     the same cell under %%jit, in the same shell

New configurations subclass ``Config`` and register themselves with ``register``;
``available()`` tells the runner when one cannot run on this machine, and it is
reported as such.  The hot suite's configurations (a kernel called again and again
under CPython, jitnb, PyPy or C) live in bench/hot.py: they time calls, not cells.
"""
from __future__ import annotations

import gc
import time
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .runner import Workload

CONFIGS: dict[str, "Config"] = {}


def register(cfg: "Config") -> "Config":
    CONFIGS[cfg.name] = cfg
    return cfg


def timed(fn) -> float:
    """Seconds taken by ``fn()``, after a collection so earlier garbage is not charged to it."""
    gc.collect()
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def fresh_namespace(workload: "Workload") -> dict:
    ns: dict[str, Any] = {"__name__": "__main__"}
    if workload.setup:
        exec(compile(workload.setup, f"<bench-setup:{workload.name}>", "exec"), ns)
    return ns


def filename_for(workload: "Workload") -> str:
    return f"<bench:{workload.name}>"


class Trial:
    """One workload prepared under one configuration."""

    namespace: dict | None = None   # the namespace after the latest run (for checking)
    hot_loops: int = 0              # loops handed to jitnb, summed over all runs so far
    info = types.MappingProxyType({})  # facts worth reporting (loops instrumented...)

    def run(self) -> float:
        raise NotImplementedError

    def close(self) -> None:
        pass


class Config:
    name = ""
    label = ""
    baseline: str | None = None     # the configuration its ratio is taken against
    jitnb = False                   # runs under jitnb (its loops are checked for hotness)

    def available(self) -> str | None:
        """None when the configuration can run here, else the reason it cannot."""
        return None

    def prepare(self, workload: "Workload") -> Trial:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<config {self.name}>"


# -- plain CPython -------------------------------------------------------------------------
class _CPythonTrial(Trial):
    def __init__(self, workload: "Workload", precompiled: bool):
        self.w, self.filename = workload, filename_for(workload)
        self.code = compile(workload.source, self.filename, "exec") if precompiled else None

    def run(self) -> float:
        ns = fresh_namespace(self.w)
        src, filename, code = self.w.source, self.filename, self.code
        if code is None:
            def body():
                exec(compile(src, filename, "exec"), ns)
        else:
            def body():
                exec(code, ns)
        secs = timed(body)
        self.namespace = ns
        return secs


class CPython(Config):
    name, label = "cpython", "CPython compile+exec"

    def prepare(self, workload):
        return _CPythonTrial(workload, precompiled=False)


class CPythonExec(Config):
    name, label = "cpython-exec", "CPython exec only"

    def prepare(self, workload):
        return _CPythonTrial(workload, precompiled=True)


# -- jitnb ---------------------------------------------------------------------------------
def _forget_cells() -> None:
    """Measure a cell's first run: jitnb reuses the code (and warm loops) of a re-run cell."""
    from jitnb import engine
    engine._CACHE.clear()


class _JitnbRunTrial(Trial):
    def __init__(self, workload: "Workload"):
        self.w, self.filename = workload, filename_for(workload)
        self.info = {}

    def run(self) -> float:
        import jitnb
        ns = fresh_namespace(self.w)
        src, filename, params = self.w.source, self.filename, self.w.params
        out = []
        _forget_cells()
        secs = timed(lambda: out.append(jitnb.run(src, ns, filename=filename, **params)))
        r = out[0]
        self.hot_loops += r.summary()["hot_loops"]
        self.info = {"loops_instrumented": len(r.loops), "loops_left_to_cpython": len(r.rejects)}
        self.namespace = ns
        return secs


class Jitnb(Config):
    name, label, baseline, jitnb = "jitnb", "jitnb.run", "cpython", True

    def prepare(self, workload):
        return _JitnbRunTrial(workload)


class _JitnbExecTrial(Trial):
    """The instrumented code object of ``engine.execute``, built once and run many times."""

    def __init__(self, workload: "Workload"):
        from jitnb import params as _params
        from jitnb.engine import compile_instrumented, prepare, register_source
        from jitnb.jit import driver
        self.w, self.filename = workload, filename_for(workload)
        p = _params.get().with_(**workload.params)
        register_source(self.filename, workload.source)
        driver.install_runtime()
        self.inst = prepare(workload.source, self.filename, p)
        self.code, _ = compile_instrumented(self.inst, self.filename, False)
        self.info = {"loops_instrumented": len(self.inst.loops),
                     "loops_left_to_cpython": len(self.inst.rejects)}

    def run(self) -> float:
        from jitnb.jit import driver
        from jitnb.jit.instrument import PREFIX
        driver.install_runtime()
        loops = self.inst.loops
        for loop in loops:  # a fresh cell starts with full budgets
            loop.budget = loop.unit.params.threshold
        before = sum(loop.hot_count for loop in loops)
        ns = fresh_namespace(self.w)
        code = self.code
        secs = timed(lambda: exec(code, ns))
        for k in [k for k in ns if isinstance(k, str) and k.startswith(PREFIX)]:
            del ns[k]
        self.hot_loops += sum(loop.hot_count for loop in loops) - before
        self.namespace = ns
        return secs


class JitnbExec(Config):
    name, label, baseline, jitnb = "jitnb-exec", "jitnb exec only", "cpython-exec", True

    def prepare(self, workload):
        return _JitnbExecTrial(workload)


# -- IPython -------------------------------------------------------------------------------
_shell = None
_shell_names: set[str] = set()


def ipython_shell():
    """One InteractiveShell for the whole run, with ``%load_ext jitnb`` done and no history file."""
    global _shell, _shell_names
    if _shell is None:
        from IPython.core.interactiveshell import InteractiveShell
        from traitlets.config import Config as TConfig
        c = TConfig()
        c.HistoryManager.enabled = False
        shell = InteractiveShell(config=c)
        res = shell.run_cell("%load_ext jitnb", store_history=False)
        res.raise_error()
        _shell, _shell_names = shell, set(shell.user_ns)
    return _shell


def _magic_line(params: dict) -> str:
    flags = []
    for k, v in params.items():
        flag = "--" + k.replace("_", "-")
        if v is True:
            flags.append(flag)
        elif v is False:
            flags.append("--no-" + k.replace("_", "-"))
        else:
            flags.append(f"{flag} {v}")
    return " ".join(flags)


class _IPythonTrial(Trial):
    def __init__(self, workload: "Workload", jit: bool):
        self.w, self.jit = workload, jit
        self.shell = ipython_shell()
        if jit:
            line = _magic_line(workload.params)
            self.cell = f"%%jit {line}\n{workload.source}" if line else f"%%jit\n{workload.source}"
        else:
            self.cell = workload.source
        self.info = {}

    def run(self) -> float:
        shell = self.shell
        ns = shell.user_ns
        for k in [k for k in ns if k not in _shell_names]:  # a fresh kernel's namespace
            del ns[k]
        if self.w.setup:
            shell.run_cell(self.w.setup, store_history=False).raise_error()
        out = []
        if self.jit:
            _forget_cells()
        secs = timed(lambda: out.append(shell.run_cell(self.cell, store_history=True)))
        out[0].raise_error()
        if self.jit:
            from jitnb.magics.jit_magic import JitMagics
            r = JitMagics.last_run
            self.hot_loops += r.summary()["hot_loops"]
            self.info = {"loops_instrumented": len(r.loops), "loops_left_to_cpython": len(r.rejects)}
        self.namespace = dict(ns)
        return secs


class IPythonPlain(Config):
    name, label = "ipython", "IPython plain cell"

    def available(self):
        try:
            import IPython  # noqa: F401
        except ImportError:
            return "IPython is not installed"
        return None

    def prepare(self, workload):
        return _IPythonTrial(workload, jit=False)


class IPythonJit(IPythonPlain):
    name, label, baseline, jitnb = "ipython-jit", "IPython %%jit cell", "ipython", True

    def prepare(self, workload):
        return _IPythonTrial(workload, jit=True)


for _cfg in (CPython(), Jitnb(), CPythonExec(), JitnbExec(), IPythonPlain(), IPythonJit()):
    register(_cfg)
