"""Running source under jitnb: the one path behind ``%%jit``, ``jitnb.run``, ``@jit`` and the CLI.

    source ─► ast ─► instrument (counters, subset check) ─► CPython compile ─► exec
                                                             │ hot loops
                                                             ▼
                                                          driver (jit/driver.py)
"""
from __future__ import annotations

import ast
import gc
import inspect
import itertools
import linecache
import textwrap
import time
import types
import weakref
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from typing import Any, Callable

from . import events as ev
from . import params as _params
from .jit import driver
from .jit.instrument import PREFIX, Instrumented, bind_entries, instrument

_counter = itertools.count(1)


@dataclass
class Run:
    """The outcome of running source under jitnb."""

    namespace: dict
    events: list[ev.Event] = field(default_factory=list)
    value: Any = None
    loops: list[driver.Loop] = field(default_factory=list)
    rejects: list[tuple[str, int, str]] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> dict[str, Any]:
        """Counts of events per kind and seconds per phase."""
        counts = Counter(e.kind for e in self.events)
        interp = sum(e.seconds for e in self.events if isinstance(e, ev.InterpLeave))
        return {
            "events": dict(counts),
            "loops": len(self.loops),
            "hot_loops": counts.get("loop-hot", 0),
            "not_jitable": len(self.rejects),
            "seconds": {"total": self.seconds, "interpreter": interp,
                        "cpython": max(self.seconds - interp, 0.0)},
        }


class _Collector:
    def __init__(self) -> None:
        self.events: list[ev.Event] = []

    def __enter__(self) -> "_Collector":
        self._unsub = ev.subscribe(self.events.append)
        return self

    def __exit__(self, *exc) -> None:
        self._unsub()


def register_source(filename: str, source: str) -> None:
    """Make the source visible to tracebacks (linecache), as IPython does for cells."""
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)


def prepare(source: str, filename: str, params: _params.Params,
            tree: ast.Module | None = None) -> Instrumented:
    """Instrument `source` (`tree`, if given, must be its fresh parse)."""
    if tree is None:
        tree = ast.parse(source, filename)
    return instrument(tree, source, filename, params)


def compile_instrumented(inst: Instrumented, filename: str, interactive: bool
                         ) -> tuple[types.CodeType, types.CodeType | None]:
    """Compile the module; with `interactive`, a final expression is compiled apart (for display)."""
    body = inst.tree.body
    last = None
    if interactive and body and isinstance(body[-1], ast.Expr):
        last = ast.Expression(body[-1].value)
        body = body[:-1]
    code = compile(ast.Module(body, type_ignores=[]), filename, "exec", dont_inherit=True)
    code = bind_entries(code, inst.entries)
    last_code = compile(last, filename, "eval", dont_inherit=True) if last is not None else None
    _map_codes(inst, code)
    return code, last_code


def _map_codes(inst: Instrumented, code: types.CodeType) -> None:
    """Link CPython code objects to jitnb units, so calls can find a function's unit, and
    free the cell's loops once no code object that can reach them is left."""
    by_key = {(u.name, u.lineno): u for u in inst.units if not u.is_module}
    life = getattr(inst, "life", None)
    if life is None:
        life = inst.life = _Liveness(inst.loops + inst.entries)
    stack = [code]
    while stack:
        c = stack.pop()
        unit = by_key.get((c.co_name, c.co_firstlineno))
        if unit is not None:
            driver.engine.units_by_code[c] = unit
        life.track(c)
        stack.extend(k for k in c.co_consts if isinstance(k, types.CodeType))


class _Liveness:
    """Counts the live code objects of a cell; when the last goes, its loops are freed."""

    def __init__(self, loops: list) -> None:
        self.loops, self.live = loops, 0

    def track(self, code: types.CodeType) -> None:
        self.live += 1
        weakref.finalize(code, self._dead)

    def _dead(self) -> None:
        self.live -= 1
        if self.live == 0:  # freed at the next run, not inside the garbage collector
            driver.engine.unreachable.extend(self.loops)


_CACHE: "OrderedDict[tuple, tuple[Instrumented, types.CodeType, types.CodeType | None]]" = OrderedDict()
CACHE_SIZE = 128


def _with_filename(code: types.CodeType, filename: str) -> types.CodeType:
    consts = tuple(_with_filename(c, filename) if isinstance(c, types.CodeType) else c
                   for c in code.co_consts)
    return code.replace(co_filename=filename, co_consts=consts)


def prepared(source: str, filename: str, params: _params.Params, interactive: bool,
             tree: ast.Module | None = None
             ) -> tuple[Instrumented, types.CodeType, types.CodeType | None]:
    """Instrumented and compiled code for `source`.  Running the same source again (a cell
    re-run) reuses it, with its loops: their counters and compiled traces stay warm."""
    key = (source, params, interactive)
    hit = _CACHE.get(key)
    if hit is None:
        # the rewrite makes many short-lived AST nodes: collecting during it only costs time
        enabled = gc.isenabled()
        gc.disable()
        try:
            inst = prepare(source, filename, params, tree)
            code, last = compile_instrumented(inst, filename, interactive)
        finally:
            if enabled:
                gc.enable()
        _CACHE[key] = hit = (inst, code, last)
        if len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
        return hit
    _CACHE.move_to_end(key)
    inst, code, last = hit
    for scope, line, reason in inst.rejects:
        ev.emit(ev.NotJitable(scope, line, reason))
    if code.co_filename != filename:
        code = _with_filename(code, filename)
        last = _with_filename(last, filename) if last is not None else None
        _map_codes(inst, code)
    return inst, code, last


def execute(source: str, namespace: dict, filename: str, params: _params.Params,
            interactive: bool = False, collector: _Collector | None = None,
            tree: ast.Module | None = None) -> Run:
    """Instrument, compile and run `source` in `namespace`; exceptions propagate."""
    driver.install_runtime()
    driver.engine.free_unreachable()
    run = Run(namespace)
    with (collector or _Collector()) as col:
        t0 = time.perf_counter()
        error = ""
        try:
            inst, code, last = prepared(source, filename, params, interactive, tree)
            run.loops, run.rejects = inst.loops, inst.rejects
            ev.emit(ev.CellStart(filename, len(inst.loops), len(inst.units) - 1))
            exec(code, namespace)
            if last is not None:
                run.value = eval(last, namespace)
        except BaseException as e:
            error = type(e).__name__
            raise
        finally:
            for k in [k for k in namespace if isinstance(k, str) and k.startswith(PREFIX)]:
                del namespace[k]
            run.seconds = time.perf_counter() - t0
            ev.emit(ev.CellEnd(filename, run.seconds, error))
            run.events = col.events
    return run


def run(source: str, namespace: dict | None = None, filename: str | None = None,
        **params: Any) -> Run:
    """Run `source` under jitnb with exactly CPython's results.

    ``params`` override the global JIT parameters for this run (``threshold=1``...).
    Exceptions raised by the program propagate, as they would from ``exec``.
    """
    p = _params.get().with_(**params)
    namespace = {} if namespace is None else namespace
    namespace.setdefault("__name__", "__main__")
    filename = filename or f"<jitnb-{next(_counter)}>"
    register_source(filename, source)
    return execute(source, namespace, filename, p)


def jit(fn: Callable | None = None, **params: Any):
    """Decorator: the function runs under jitnb (its hot loops are handed to the JIT)."""
    if fn is None:
        return lambda f: jit(f, **params)
    if fn.__code__ in driver.engine.units_by_code:
        return fn
    reason = _why_not_decoratable(fn)
    if reason:
        ev.emit(ev.NotJitable(f"function {fn.__qualname__}", fn.__code__.co_firstlineno, reason))
        return fn
    lines, first = inspect.getsourcelines(fn)
    src = textwrap.dedent("".join(lines))
    tree = ast.parse(src)
    fdef = tree.body[0]
    assert isinstance(fdef, ast.FunctionDef)
    fdef.decorator_list = []
    src = "\n" * (first - 1) + ast.unparse(tree) if False else "\n" * (first - 1) + src
    tree = ast.parse(src)
    tree.body[0].decorator_list = []  # type: ignore[attr-defined]
    filename = fn.__code__.co_filename
    p = _params.get().with_(**params)
    driver.install_runtime()
    inst = instrument(tree, src, filename, p)
    code, _ = compile_instrumented(inst, filename, False)
    scratch: dict = {}
    exec(code, fn.__globals__, scratch)
    new = scratch[fn.__name__]
    new.__defaults__, new.__kwdefaults__ = fn.__defaults__, fn.__kwdefaults__
    new.__qualname__, new.__module__, new.__doc__ = fn.__qualname__, fn.__module__, fn.__doc__
    new.__dict__.update(fn.__dict__)
    new.__wrapped_by_jitnb__ = True
    return new


def _why_not_decoratable(fn: Callable) -> str:
    if not isinstance(fn, types.FunctionType):
        return "not a Python function"
    if fn.__code__.co_freevars:
        return "closure: decorate the enclosing function instead"
    try:
        inspect.getsourcelines(fn)
    except (OSError, TypeError):
        return "source not available"
    return ""
