"""The driver: hot loops leave CPython here and come back with their results.

    CPython (instrumented) ── counter <= 0 ──► Loop.hot(locals, globals, iterator)
         ▲                                         │  jitnb's interpreter finishes this
         │  Handback: kind, written locals,        │  iteration (the tracing JIT plugs in
         └─ return value or exception at its line ◄┘  here: trace, compile, run machine code)

Each JIT-able loop of a cell gets one ``Loop``; the instrumented code reaches it
as ``_jitnb.L[id]`` through the builtins, so user namespaces stay clean.
"""
from __future__ import annotations

import ast
import builtins
import os
import time
import types
import weakref
from typing import Any

from .. import events as ev
from ..params import Params
from .interp.frame import UNBOUND, Frame
from .interp.interpreter import TRAMPOLINES, Interpreter
from .lang.compiler import CodeUnit, LoopInfo

RESUME, EXIT, RETURN = 0, 1, 2
_PKG_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NEVER = 1 << 62  # the budget of a loop that will not be handed over again
NOT_ENTERED = type("NotEntered", (), {"__slots__": (), "__repr__": lambda s: "<not entered>"})()


class Handback:
    """What CPython does after the driver: `continue`, `break`, `return value` or `raise exc`."""

    __slots__ = ("kind", "value", "vals", "budget", "exc", "line")

    def __init__(self, kind: int, vals: tuple, budget: int, value: Any = None,
                 exc: BaseException | None = None, line: int = 0):
        self.kind, self.vals, self.budget, self.value = kind, vals, budget, value
        self.exc, self.line = exc, line


class CellSource:
    """A cell's source, parsed again only when one of its loops first gets hot."""

    def __init__(self, source: str, filename: str, scopes):
        self.source, self.filename, self.scopes = source, filename, scopes
        self._tree: ast.Module | None = None

    def tree(self) -> ast.Module:
        if self._tree is None:
            self._tree = ast.parse(self.source, self.filename)
        return self._tree


class Unit:
    """A scope (module or function) of a cell; its jitnb bytecode is compiled on first use."""

    def __init__(self, cell: CellSource, params: Params, scope: str, name: str, lineno: int,
                 qualname: str):
        self.cell, self.params, self.scope = cell, params, scope
        self.name, self.lineno, self.qualname = name, lineno, qualname
        self._code: CodeUnit | None = None
        self.loops: list[Loop] = []
        self.entry = None               # its FunctionEntry, if it is traced from its start

    def loop_at(self, index: int) -> "Loop | None":
        """The instrumented loop with this index in the unit's bytecode."""
        for loop in self.loops:
            if loop.info.index == index:
                return loop
        return None

    @property
    def is_module(self) -> bool:
        return self.name == "<module>"

    @property
    def code(self) -> CodeUnit:
        if self._code is None:
            from .lang.compiler import compile_function, compile_module
            tree = self.cell.tree()
            if self.is_module:
                self._code = compile_module(tree, self.cell.scopes.root, self.cell.filename)
            else:
                node = next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)
                            and n.name == self.name and n.lineno == self.lineno)
                self._code = compile_function(node, self.cell.scopes.for_function(node),
                                              self.cell.filename, self.qualname)
        return self._code


class Loop:
    """Runtime state of one instrumented loop: counter budget and statistics."""

    kind = "loop"

    def __init__(self, id: int, unit: Unit, line: int, col: int, assigned: list[str],
                 engine: "Engine"):
        self.id, self.unit, self.engine = id, unit, engine
        self.line, self.col, self.assigned = line, col, assigned
        self.budget = unit.params.threshold
        self.hot_count = 0          # times handed over
        self.iterations = 0         # iterations run by jitnb
        self.blacklisted = False
        self.compiled = None        # CompiledLoop once traced
        self.aborts = 0
        self.abort_reasons: list[str] = []
        self.retry_soon = False
        self.left = 0
        self._info: LoopInfo | None = None

    @property
    def info(self) -> LoopInfo:
        """The loop's place in its unit's bytecode (compiles the unit on first use)."""
        if self._info is None:
            self._info = next(l for l in self.unit.code.loops
                              if (l.line, l.col) == (self.line, self.col))
        return self._info

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

    def entry_calls(self):
        """The recorder's hook for calls to compiled functions (function entries have one)."""
        from .entry import entry_calls
        return entry_calls(self.engine, None)

    def check_bridge(self, compiled, recorded) -> None:
        """Raise Abort if this bridge cannot be attached (loops take any)."""

    def listing(self) -> str:
        """Source, IR before/after optimisation, guards and machine code, as text."""
        from .listing import build
        data = build(self)
        if data is None:
            why = "; ".join(self.abort_reasons) or "not compiled yet"
            return f"loop {self.id} — {self.scope}, line {self.line}: {why}"
        return data.text()

    def compare_arches(self) -> str:
        """The compiled trace as x86_64 and AArch64 code side by side, with sizes."""
        from .listing import side_by_side
        pair = side_by_side(self)
        return pair.text() if pair is not None else self.listing()

    def __repr__(self) -> str:
        return f"<loop {self.id} {self.scope} line {self.line}>"


class Engine:
    """Owns the loops and the interpreter; one per process."""

    def __init__(self) -> None:
        self.loops: list[Loop] = []
        self.interp = Interpreter()
        self.units_by_code: "weakref.WeakKeyDictionary[types.CodeType, Unit]" = \
            weakref.WeakKeyDictionary()
        self.unreachable: list[Loop] = []   # loops whose code is gone (freed at the next run)
        self.entry_depth = 0                # function entries running (nested calls)

    def free_unreachable(self) -> None:
        """Free the loops whose code has been collected since the last run."""
        if self.unreachable:
            loops, self.unreachable = self.unreachable, []
            self.free_loops(loops)

    def free_loops(self, loops: list[Loop]) -> None:
        """Release the machine code of loops no code can reach any more."""
        from .interrupts import watcher
        for loop in loops:
            compiled = getattr(loop, "variants", None) or [loop.compiled]  # a function's: all
            for c in compiled:
                if c is None:
                    continue
                word = getattr(c.executor, "frame", None)
                with watcher.lock:
                    if word is not None and any(w is word for w in watcher.words):
                        watcher.words[:] = [w for w in watcher.words if w is not word]
                free = getattr(c.executor, "free", None)
                if free is not None:
                    free()
            loop.compiled = None
            if hasattr(loop, "variants"):
                loop.variants = []
                loop.blacklisted = True
            if self.loops[loop.id] is loop:
                self.loops[loop.id] = None
            try:
                ev.emit(ev.LoopFreed(loop.id))
            except Exception:  # noqa: BLE001 - a hook must not break garbage collection
                pass

    def new_loop(self, unit: Unit, line: int, col: int, assigned: list[str]) -> Loop:
        loop = Loop(len(self.loops), unit, line, col, assigned, self)
        unit.loops.append(loop)
        self.loops.append(loop)
        return loop

    def new_entry(self, unit: Unit):
        """The function entry (call counter, traces from the function's start) of `unit`."""
        from .entry import FunctionEntry
        entry = FunctionEntry(len(self.loops), unit, self)
        unit.entry = entry
        self.loops.append(entry)
        return entry

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
                what, value = self.interp.run(frame, info, self._inner_header(loop.unit))
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
                self.maybe_bridge(loop, frame)
        except BaseException as exc:  # handed back to CPython, raised at the user's line
            ev.emit(ev.InterpLeave(loop.id, "raise", iterations, time.perf_counter() - t0))
            return Handback(RESUME, self._written(loop, frame), self._budget(loop),
                            exc=strip_traceback(exc), line=frame.line)
        loop.iterations += iterations
        kind = {"header": RESUME, "exit": EXIT, "return": RETURN}[what]
        outcome = {RESUME: "resume", EXIT: "exit", RETURN: "return"}[kind]
        ev.emit(ev.InterpLeave(loop.id, outcome, iterations, time.perf_counter() - t0))
        return Handback(kind, self._written(loop, frame), self._budget(loop), value=value)

    def entry_of(self, fn: Any):
        """The function entry of a Python function, if it has one."""
        code = getattr(fn, "__code__", None)
        unit = self.units_by_code.get(code) if isinstance(code, types.CodeType) else None
        return unit.entry if unit is not None else None

    def _inlinable(self, fn: Any) -> CodeUnit | None:
        """The jitnb bytecode of a function the recorder may inline, if any."""
        code = getattr(fn, "__code__", None)
        unit = self.units_by_code.get(code) if isinstance(code, types.CodeType) else None
        if unit is None or type(fn).__name__ != "function":
            return None
        code = unit.code
        return code if code.complete else None

    @staticmethod
    def _compiled_inner(unit: Unit):
        def find(index: int):
            inner = unit.loop_at(index)
            return inner.compiled if inner is not None else None
        return find

    def _inner_header(self, unit: Unit):
        """A callback for the interpreter: loops nested in the one being run also get
        counted, traced and run as machine code."""
        def on_header(frame: Frame, index: int) -> bool:
            inner = unit.loop_at(index)
            if inner is None or inner.blacklisted or not unit.params.jit:
                return False
            if inner.compiled is None:
                inner.budget -= 1
                if inner.budget > 0:
                    return False
                inner.budget = unit.params.threshold
                self.trace_loop(inner, frame)
                return frame.pc != inner.info.header_pc or inner.compiled is not None
            if not inner.compiled.run(frame):
                return False
            self.maybe_bridge(inner, frame)
            return True
        return on_header

    def maybe_bridge(self, loop: Loop, frame: Frame) -> None:
        """After a guard failure: if that guard fails often, trace a bridge from it (the
        frame is at the guard's resume point; recording finishes the iteration for real)."""
        compiled = loop.compiled
        exit = compiled.last_exit
        if exit < 0:
            return
        stats = compiled.guards[exit]
        params = loop.unit.params
        if (stats.bridge is not None or stats.failures < params.trace_eagerness
                or stats.bridge_aborts >= params.max_retrace or stats.recording
                or compiled.after_call(exit)):
            compiled.finish_inlined(frame)
            return
        from .trace.recorder import Recorder
        snap = compiled.exits[exit].snapshot
        inlined, compiled.pending = compiled.pending, []
        from .backend.pipeline import compile_bridge

        def record():
            try:
                rec = Recorder(frame, loop.info, self.interp, params.trace_limit,
                               bridge_from=snap, target=compiled.recorded,
                               inner_loop=self._compiled_inner(loop.unit),
                               inline_unit=self._inlinable, inline_depth=params.inline_depth,
                               inlined_frames=inlined, entry_call=loop.entry_calls())
            except BaseException:
                compiled.pending = inlined
                compiled.finish_inlined(frame)
                raise
            return rec.record()

        def done(recorded, t_record):
            compiled.tag_result(recorded)
            loop.check_bridge(compiled, recorded)
            compile_bridge(loop, compiled, exit, recorded, params, t_record)

        stats.recording = True   # the recording may run this code again: no second bridge
        try:
            if not self._attempt(loop, snap.line, record, done):
                stats.bridge_aborts += 1
        finally:
            stats.recording = False

    def trace_loop(self, loop: Loop, frame: Frame) -> None:
        """Record one iteration (running it for real), then optimise and compile the trace."""
        from .backend.pipeline import compile_loop
        from .trace.recorder import Recorder
        params = loop.unit.params

        def record():
            return Recorder(frame, loop.info, self.interp, params.trace_limit,
                            inner_loop=self._compiled_inner(loop.unit),
                            inline_unit=self._inlinable, inline_depth=params.inline_depth,
                            entry_call=loop.entry_calls()).record()

        def done(recorded, t_record):
            loop.compiled = compile_loop(loop, recorded, params, t_record=t_record)

        if not self._attempt(loop, loop.line, record, done):
            if loop.abort_reasons[-1].startswith("loop left during tracing") and loop.left < 20:
                loop.left += 1
                loop.retry_soon = True  # bad timing, not a bad loop: try again at next entry
                return
            loop.aborts += 1
            if loop.aborts >= params.max_retrace:
                loop.blacklisted = True
                ev.emit(ev.Blacklisted(loop.id, loop.abort_reasons[-1]))

    def _attempt(self, loop: Loop, line: int, record, done) -> bool:
        """Record then compile; False (with a trace-abort event) if either gives up.

        The user's exceptions raised while recording propagate unchanged; any other
        failure of the JIT is an abort, so the program's result never depends on it."""
        from .trace.recorder import Abort, UserRaised
        t0 = time.perf_counter()
        ev.emit(ev.TraceStart(loop.id, line))
        user_error = None
        try:
            recorded = record()
            done(recorded, time.perf_counter() - t0)
            return True
        except UserRaised as u:
            user_error = u.exc
        except Abort as a:
            reason, where = a.reason, a.line
        except Exception as e:  # an internal limitation or bug: keep running correctly
            reason, where = f"internal error: {type(e).__name__}: {e}", line
        if user_error is not None:
            raise user_error  # outside the handler: its context stays the user's
        loop.abort_reasons.append(f"{reason} at line {where}")
        ev.emit(ev.TraceAbort(loop.id, reason, where, time.perf_counter() - t0))
        return False

    @staticmethod
    def _written(loop: Loop, frame: Frame) -> tuple:
        return frame.local_values(loop.assigned) if loop.assigned else ()

    @staticmethod
    def _budget(loop: Loop) -> int:
        if loop.blacklisted:
            return NEVER
        # a compiled loop is entered from its first iteration
        if loop.compiled is not None or loop.retry_soon:
            loop.retry_soon = False
            return 1
        return loop.unit.params.threshold


def strip_traceback(exc: BaseException) -> BaseException:
    """Drop jitnb's own frames from a traceback so users see only their code."""
    kept = []
    tb = exc.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        if not code.co_filename.startswith(_PKG_DIR) and code not in TRAMPOLINES:
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
    NOT_ENTERED = NOT_ENTERED     # a function entry's answer: CPython runs the body
    RecursionError = RecursionError
    iter = staticmethod(builtins.iter)
    locals = staticmethod(builtins.locals)
    globals = staticmethod(builtins.globals)


RUNTIME_NAME = "_jitnb"


def install_runtime() -> None:
    if getattr(builtins, RUNTIME_NAME, None) is None:
        setattr(builtins, RUNTIME_NAME, _Runtime())
