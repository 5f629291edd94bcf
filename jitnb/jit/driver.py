"""The driver: hot loops leave CPython here and come back with their results.

    CPython (instrumented) ── counter <= 0 ──► Loop.hot(locals, globals, iterator)
         ▲                                         │  jitnb's interpreter finishes this
         │  Handback: kind, written locals,        │  iteration (the tracing JIT plugs in
         └─ return value or exception at its line ◄┘  here: trace, compile, run machine code)

Each JIT-able loop of a cell gets one ``Loop``; the instrumented code reaches it
as ``_jitnb.L[id]`` through the builtins, so user namespaces stay clean.
"""
from __future__ import annotations

import builtins
import os
import time
import types
from dataclasses import dataclass
from typing import Any

from .. import events as ev
from ..params import Params
from .interp.frame import UNBOUND, Frame
from .interp.interpreter import Interpreter
from .lang.compiler import CodeUnit, LoopInfo

RESUME, EXIT, RETURN = 0, 1, 2
_PKG_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NEVER = 1 << 62  # the budget of a loop that will not be handed over again


class Handback:
    """What CPython does after the driver: `continue`, `break`, `return value` or `raise exc`."""

    __slots__ = ("kind", "value", "vals", "budget", "exc", "line")

    def __init__(self, kind: int, vals: tuple, budget: int, value: Any = None,
                 exc: BaseException | None = None, line: int = 0):
        self.kind, self.vals, self.budget, self.value = kind, vals, budget, value
        self.exc, self.line = exc, line


@dataclass
class Unit:
    """A compiled scope with the parameters it was instrumented under."""

    code: CodeUnit
    params: Params
    scope: str  # "function f", "<module>"


class Loop:
    """Runtime state of one instrumented loop: counter budget and statistics."""

    def __init__(self, id: int, unit: Unit, info: LoopInfo, engine: "Engine"):
        self.id, self.unit, self.info, self.engine = id, unit, info, engine
        self.budget = unit.params.threshold
        self.hot_count = 0          # times handed over
        self.iterations = 0         # iterations run by jitnb
        self.blacklisted = False
        self.compiled = None        # CompiledLoop once traced
        self.aborts = 0
        self.abort_reasons: list[str] = []

    @property
    def scope(self) -> str:
        return self.unit.scope

    def hot(self, f_locals: dict, f_globals: dict, it: Any) -> Handback:
        self.hot_count += 1
        info = self.info
        if self.hot_count == 1:
            ev.emit(ev.LoopHot(self.id, self.scope, info.line, self.unit.params.threshold))
        frame = Frame.from_locals(self.unit.code, f_globals, f_locals)
        frame.pc = info.body_pc
        frame.line = info.line
        if info.kind == "for":
            frame.stack.append(it)
        return self.engine.run_iteration(self, frame)

    def __repr__(self) -> str:
        return f"<loop {self.id} {self.scope} line {self.info.line}>"


class Engine:
    """Owns the loops and the interpreter; one per process."""

    def __init__(self) -> None:
        self.loops: list[Loop] = []
        self.interp = Interpreter()
        self.units_by_code: dict[types.CodeType, Unit] = {}

    def new_loop(self, unit: Unit, info: LoopInfo) -> Loop:
        loop = Loop(len(self.loops), unit, info, self)
        self.loops.append(loop)
        return loop

    def run_iteration(self, loop: Loop, frame: Frame) -> Handback:
        """Finish the current iteration in jitnb's interpreter; then, while the loop goes on,
        trace it, run its machine code, and blackhole after guard failures."""
        info = loop.info
        params = loop.unit.params
        t0 = time.perf_counter()
        ev.emit(ev.InterpEnter(loop.id, frame.line))
        iterations = 0
        try:
            while True:
                what, value = self.interp.run(frame, info)
                iterations += 1
                if what != "header":
                    break
                if not params.jit or loop.blacklisted:
                    break
                if loop.compiled is None:
                    self.trace_loop(loop, frame)
                    iterations += 1
                    continue
                if not loop.compiled.run(frame):
                    break  # the frame does not match the trace: CPython goes on
        except BaseException as exc:  # handed back to CPython, raised at the user's line
            ev.emit(ev.InterpLeave(loop.id, "raise", iterations, time.perf_counter() - t0))
            return Handback(RESUME, self._written(loop, frame), self._budget(loop),
                            exc=strip_traceback(exc), line=frame.line)
        loop.iterations += iterations
        kind = {"header": RESUME, "exit": EXIT, "return": RETURN}[what]
        outcome = {RESUME: "resume", EXIT: "exit", RETURN: "return"}[kind]
        ev.emit(ev.InterpLeave(loop.id, outcome, iterations, time.perf_counter() - t0))
        return Handback(kind, self._written(loop, frame), self._budget(loop), value=value)

    def trace_loop(self, loop: Loop, frame: Frame) -> None:
        """Record one iteration (running it for real), then optimise and compile the trace."""
        from .trace.recorder import Abort, Recorder
        params = loop.unit.params
        t0 = time.perf_counter()
        ev.emit(ev.TraceStart(loop.id, loop.info.line))
        try:
            recorded = Recorder(frame, loop.info, self.interp, params.trace_limit).record()
        except Abort as a:
            loop.aborts += 1
            ev.emit(ev.TraceAbort(loop.id, a.reason, a.line, time.perf_counter() - t0))
            loop.abort_reasons.append(str(a))
            if loop.aborts >= params.max_retrace:
                loop.blacklisted = True
                ev.emit(ev.Blacklisted(loop.id, str(a)))
            # the recorder ran the bytecode for real: continue the iteration plainly
            return
        t1 = time.perf_counter()
        from .backend.pipeline import compile_loop
        loop.compiled = compile_loop(loop, recorded, params, t_record=t1 - t0)

    @staticmethod
    def _written(loop: Loop, frame: Frame) -> tuple:
        return frame.local_values(loop.info.assigned) if loop.info.assigned else ()

    @staticmethod
    def _budget(loop: Loop) -> int:
        if loop.blacklisted:
            return NEVER
        # a compiled loop is entered from its first iteration
        return 1 if loop.compiled is not None else loop.unit.params.threshold


def strip_traceback(exc: BaseException) -> BaseException:
    """Drop jitnb's own frames from a traceback so users see only their code."""
    kept = []
    tb = exc.__traceback__
    while tb is not None:
        if not tb.tb_frame.f_code.co_filename.startswith(_PKG_DIR):
            kept.append(tb)
        tb = tb.tb_next
    new = None
    for tb in reversed(kept):
        new = types.TracebackType(new, tb.tb_frame, tb.tb_lasti, tb.tb_lineno)
    return exc.with_traceback(new)


engine = Engine()


class _Runtime:
    """The object instrumented code sees as ``_jitnb`` (installed in builtins)."""

    __slots__ = ()
    L = engine.loops
    UNBOUND = UNBOUND
    iter = staticmethod(builtins.iter)
    locals = staticmethod(builtins.locals)
    globals = staticmethod(builtins.globals)


RUNTIME_NAME = "_jitnb"


def install_runtime() -> None:
    if getattr(builtins, RUNTIME_NAME, None) is None:
        setattr(builtins, RUNTIME_NAME, _Runtime())
