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
from .lang import opcodes as O
from .lang.compiler import CodeUnit, LoopInfo

RESUME, EXIT, RETURN, BODY = 0, 1, 2, 3   # BODY: CPython runs this iteration's body itself
_PKG_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NEVER = 1 << 62  # the budget of a loop that will not be handed over again
ENTRY_MISSES = 3  # hand-overs in a row whose frame does not match the trace: trace it again
NOT_ENTERED = type("NotEntered", (), {"__slots__": (), "__repr__": lambda s: "<not entered>"})()


class Handback:
    """What CPython does after the driver: `continue`, `break`, `return value`, `raise exc`,
    or nothing (BODY: the driver did not run this iteration, the body runs as usual)."""

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
            self._code.owner = self     # (how a trace that inlines it finds its loops)
        return self._code


# A loop with loops inside gets hot after threshold / OUTER_DIVISOR of its own iterations: each
# of them runs whole inner loops, and once it is compiled its inner loops are entered from
# machine code instead of from CPython (a hand-over each).
OUTER_DIVISOR = 16
# Entering machine code from CPython costs tens of microseconds of Python; a loop whose first
# SHORT_TRIP_SAMPLE hand-overs average fewer than SHORT_TRIP iterations stays in CPython.
SHORT_TRIP, SHORT_TRIP_SAMPLE = 16, 16


class Loop:
    """Runtime state of one instrumented loop: counter budget and statistics."""

    kind = "loop"

    def __init__(self, id: int, unit: Unit, line: int, col: int, assigned: list[str],
                 engine: "Engine"):
        self.id, self.unit, self.engine = id, unit, engine
        self.line, self.col, self.assigned = line, col, assigned
        self.nests = False
        self.budget = unit.params.threshold
        self.handovers = 0          # hand-overs from CPython that entered machine code...
        self.handover_iterations = 0  # ...and the iterations they ran there
        self.short_trips = False    # too few of them per hand-over: CPython keeps the loop
        self.abort_line = 0
        self.variable_step = False  # traced with its range step as an input (steps vary)
        self.hot_count = 0          # times handed over
        self.iterations = 0         # iterations run by jitnb
        self.blacklisted = False
        self.compiled = None        # CompiledLoop once traced
        self.aborts = 0
        self.abort_reasons: list[str] = []
        self.retry_soon = False
        self.left = 0
        self.entry_misses = 0       # hand-overs in a row the compiled loop could not enter
        self.retired: list = []     # traces replaced after the loop's objects or classes changed
        self._info: LoopInfo | None = None

    def set_nests(self) -> None:
        """The loop has loops in its body."""
        self.nests = True
        self.budget = self.threshold()

    def threshold(self) -> int:
        """Iterations before this loop is traced."""
        t = self.unit.params.threshold
        return max(1, t // OUTER_DIVISOR) if self.nests else t

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
        if self.short_trips:  # entering costs more than its machine code saves: CPython
            return Handback(BODY, tuple(f_locals.get(n, UNBOUND) for n in self.assigned), NEVER)
        if self.hot_count == 1:
            ev.emit(ev.LoopHot(self.id, self.scope, info.line, self.threshold()))
        frame = Frame.from_locals(self.unit.code, f_globals, f_locals)
        frame.pc = info.body_pc
        frame.line = info.line
        enter = self.compiled is not None and self.unit.params.jit and not self.blacklisted
        if info.kind == "for":
            frame.stack.append(it)
            if enter:
                rewound = _rewind(it, self.unit.code, info)
                if rewound is not None:
                    frame.pc = info.header_pc
                    return self.engine.run_iteration(self, frame, rewound)
        elif enter and _test_again(info, f_locals, f_globals):
            # the test just passed and gives the same answer again: the machine code starts at
            # the header and runs this iteration (no interpreted iteration)
            frame.pc = info.header_pc
            return self.engine.run_iteration(self, frame, ())
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
            for c in compiled + getattr(loop, "retired", []):
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
            loop.retired = []
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

    def run_iteration(self, loop: Loop, frame: Frame, rewound: Any = None) -> Handback:
        """Finish the current iteration in jitnb's interpreter; then, while the loop goes on,
        trace it, run its machine code, and blackhole after guard failures.  With `rewound`
        (the iterator's position before it produced the current item, see ``_rewind``) the
        frame is at the loop header instead and the machine code runs this iteration too."""
        info = loop.info
        params = loop.unit.params
        t0 = time.perf_counter()
        ev.emit(ev.InterpEnter(loop.id, frame.line))
        iterations = 0
        before = loop.compiled.iterations if loop.compiled is not None else 0
        traced = False
        try:
            if rewound is not None:
                if loop.compiled.run(frame):
                    loop.entry_misses = 0
                    self.maybe_bridge(loop, frame)
                else:  # the frame does not match the trace: undo the rewind
                    if rewound:
                        it, position = rewound
                        it.__setstate__(position)
                    budget = self._body_budget(loop, frame)
                    if budget:   # CPython runs this iteration itself
                        ev.emit(ev.InterpLeave(loop.id, "body", 0, time.perf_counter() - t0))
                        return Handback(BODY, self._written(loop, frame), budget)
                    frame.pc = info.body_pc
            while True:
                what, value = self.interp.run(frame, info, self._inner_header(loop.unit))
                iterations += 1
                if what != "header":
                    break
                if not params.jit or loop.blacklisted:
                    break
                if loop.compiled is None:
                    if traced:  # it aborted: CPython runs the loop until it is hot again
                        break
                    self.trace_loop(loop, frame)
                    if loop.compiled is None and frame.pc == info.header_pc:
                        break   # not traced, or the whole iteration was: CPython goes on
                    traced = True
                    iterations += 1
                    continue
                if not loop.compiled.run(frame):
                    if not self._retrace_for_any_step(loop):
                        self._missed_entry(loop)
                    break  # the frame does not match the trace: CPython goes on
                loop.entry_misses = 0
                self.maybe_bridge(loop, frame)
        except BaseException as exc:  # handed back to CPython, raised at the user's line
            ev.emit(ev.InterpLeave(loop.id, "raise", iterations, time.perf_counter() - t0))
            loop.budget = budget = self._budget(loop)   # (the loop's next run starts with it)
            return Handback(RESUME, self._written(loop, frame), budget,
                            exc=strip_traceback(exc), line=frame.line)
        loop.iterations += iterations
        self._count_trip(loop, before)
        kind = {"header": RESUME, "exit": EXIT, "return": RETURN}[what]
        outcome = {RESUME: "resume", EXIT: "exit", RETURN: "return"}[kind]
        ev.emit(ev.InterpLeave(loop.id, outcome, iterations, time.perf_counter() - t0))
        # also the budget the loop's next run starts with: CPython stores its countdown
        # there when the loop ends, but not when it returns or raises from inside it
        loop.budget = budget = self._budget(loop)
        return Handback(kind, self._written(loop, frame), budget, value=value)

    def _body_budget(self, loop: Loop, frame: Frame) -> int:
        """The frame at the header does not match the trace: 0 if jitnb's interpreter should
        run this iteration (the machine code then runs the next), else the budget after which
        CPython, running this iteration itself, hands the loop over again."""
        if self._retrace_for_any_step(loop):
            return 1                    # traced again at the next iteration, for any step
        self._missed_entry(loop)        # classes or objects changed: maybe set aside
        if loop.compiled is None or loop.compiled.unbox(frame, unbound_matches=True) is None:
            return max(1, loop.threshold())   # it will not match at the next header either
        # only a local the body assigns is unbound (the first iteration): the interpreter
        # runs it -- unless it is made of whole loops: then CPython does, and the machine
        # code is tried at the next one
        return 1 if loop.nests else 0

    @staticmethod
    def _count_trip(loop: Loop, before: int) -> None:
        """After a hand-over: a loop that keeps running only a few iterations of machine
        code per hand-over from CPython is left to CPython from then on (its machine code is
        still called by compiled enclosing loops)."""
        c = loop.compiled
        if c is None or c.iterations < before or loop.nests:
            return  # (an iteration of a loop with loops inside is worth an entry by itself)
        loop.handovers += 1
        loop.handover_iterations += c.iterations - before
        if loop.handovers >= SHORT_TRIP_SAMPLE and \
                loop.handover_iterations < SHORT_TRIP * loop.handovers:
            loop.short_trips = True
            ev.emit(ev.Blacklisted(loop.id, f"{loop.handover_iterations / loop.handovers:.1f} "
                                   "iterations of machine code per entry from CPython: too few "
                                   "to pay for entering (left to CPython)"))

    def _missed_entry(self, loop: Loop) -> None:
        """The frame keeps not matching the trace's classes or objects (e.g. a class
        redefined by re-running a cell): set the trace aside (other traces may still call
        its code) and trace again after `threshold` more iterations."""
        if not loop.compiled.stale:
            return   # numbers that do not fit, say: the trace is still the loop's
        loop.entry_misses += 1
        if loop.entry_misses < ENTRY_MISSES:
            return
        loop.entry_misses = 0
        loop.retired.append(loop.compiled)
        loop.compiled = None
        reason = "the loop's state no longer matches its trace"
        loop.abort_reasons.append(f"{reason} at line {loop.line}")
        ev.emit(ev.TraceAbort(loop.id, reason, loop.line, 0.0))
        if len(loop.retired) >= 4 * loop.unit.params.max_retrace:
            loop.blacklisted = True
            ev.emit(ev.Blacklisted(loop.id, reason))

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
        """The recorder's lookup of compiled loops: by index in `unit`, or in the unit of
        another jitnb bytecode `code` (a loop in a function the trace inlines)."""
        def find(index: int, code: CodeUnit | None = None):
            owner = unit if code is None else getattr(code, "owner", None)
            inner = owner.loop_at(index) if owner is not None else None
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
                inner.budget = inner.threshold()
                self.trace_loop(inner, frame)
                return frame.pc != inner.info.header_pc or inner.compiled is not None
            if not inner.compiled.run(frame):
                if self._retrace_for_any_step(inner):
                    inner.budget = 1
                else:
                    self._missed_entry(inner)
                return False
            inner.entry_misses = 0
            self.maybe_bridge(inner, frame)
            return True
        return on_header

    def maybe_bridge(self, loop: Loop, frame: Frame) -> None:
        """After a guard failure: if that guard fails often, trace a bridge from it (the
        frame is at the guard's resume point; recording finishes the iteration for real)."""
        compiled = loop.compiled
        exit = compiled.last_exit
        snap = compiled.exits[exit].snapshot if exit >= 0 else None
        if snap is None or snap.yields or (snap.resume.after_call is not None
                                           and compiled.call_exit < 0):
            return   # interrupted (here or in an inner loop), or the GIL hand-over exit
        if any(r.after_call is not None for r in snap.resume.inlined):
            compiled.finish_inlined(frame)   # after a loop of an inlined function: no
            return                           # bridge from there (NYI)
        stats = compiled.guards[exit]
        params = loop.unit.params
        if (stats.bridge is not None or stats.failures < params.trace_eagerness
                or stats.bridge_aborts >= params.max_retrace or stats.recording
                or compiled.entry_call_exit(exit)):
            compiled.finish_inlined(frame)
            return
        from .trace.recorder import Recorder
        snap = compiled.exits[exit].snapshot
        inlined, compiled.pending = compiled.pending, []
        posts = list(compiled.pending_posts)
        from .backend.pipeline import compile_bridge

        def record():
            try:
                rec = Recorder(frame, loop.info, self.interp, params.trace_limit,
                               bridge_from=snap, target=compiled.recorded,
                               inner_loop=self._compiled_inner(loop.unit),
                               inline_unit=self._inlinable, inline_depth=params.inline_depth,
                               inlined_frames=inlined, call_exit=compiled.call_exit,
                               inlined_posts=posts, entry_call=loop.entry_calls())
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
                if loop.abort_reasons[-1].endswith("(loop traced again) at line "
                                                   f"{loop.abort_line}") \
                        and loop.compiled is compiled:
                    loop.retired.append(compiled)   # callers keep its code
                    loop.compiled = None
                    loop.retry_soon = True
        finally:
            stats.recording = False

    def trace_loop(self, loop: Loop, frame: Frame) -> None:
        """Record one iteration (running it for real), then optimise and compile the trace.
        A loop whose trace would stop at an inner loop is not traced (the frame is left at
        the header): an aborted recording leaves the rest of its iteration to jitnb's
        interpreter, which is slow for an iteration made of whole inner loops."""
        from .backend.pipeline import compile_loop
        from .trace.recorder import Recorder
        params = loop.unit.params
        if self._blocked(loop):
            return

        def record():
            return Recorder(frame, loop.info, self.interp, params.trace_limit,
                            inner_loop=self._compiled_inner(loop.unit),
                            inline_unit=self._inlinable, inline_depth=params.inline_depth,
                            residual_call_ops=params.residual_call_ops,
                            variable_step=loop.variable_step,
                            entry_call=loop.entry_calls()).record()

        def done(recorded, t_record):
            loop.compiled = compile_loop(loop, recorded, params, t_record=t_record)

        if not self._attempt(loop, loop.line, record, done):
            reason = loop.abort_reasons[-1]
            if (reason.startswith("loop left during tracing") or "(traced again)" in reason) \
                    and loop.left < 20:
                loop.left += 1
                loop.retry_soon = True  # bad timing, not a bad loop: try again at next entry
                return
            if "not compiled yet" in reason and loop.left < 20:
                loop.left += 1          # an inner loop is not hot yet: it is traced the next
                for inner in loop.unit.loops:   # time it is reached, this loop after it
                    if inner is loop or inner.line != loop.abort_line or inner.blacklisted:
                        continue
                    Engine._retrace_for_any_step(inner)
                    if inner.compiled is None:
                        inner.budget = 1
                return
            loop.aborts += 1
            if loop.aborts >= params.max_retrace:
                loop.blacklisted = True
                ev.emit(ev.Blacklisted(loop.id, loop.abort_reasons[-1]))

    @staticmethod
    def _retrace_for_any_step(loop: Loop) -> bool:
        """After an entry failed on its range step alone: the loop is traced again (once) with
        the step as an input.  Callers of the old code keep it (their descriptors hold it)."""
        c = loop.compiled
        if c is None or not c.step_mismatch or loop.variable_step:
            return False
        loop.variable_step = True
        loop.compiled = None
        loop.retry_soon = True
        return True

    @staticmethod
    def _blocked(loop: Loop) -> bool:
        """Is tracing `loop` now bound to stop at an inner loop?  An inner loop left to
        CPython (blacklisted) blacklists it; one it already stopped at that is still not
        compiled is made to trace first (this loop comes back at its next threshold)."""
        info = loop.info
        for inner in loop.unit.loops:
            if inner is loop or inner.line < loop.line:
                continue
            if not info.header_pc < inner.info.header_pc < info.exit_pc:
                continue
            if inner.blacklisted and inner.hot_count:
                loop.blacklisted = True
                reason = f"inner loop at line {inner.line} is left to CPython"
                loop.abort_reasons.append(reason)
                ev.emit(ev.Blacklisted(loop.id, reason))
                return True
            if inner.compiled is None and inner.line == loop.abort_line:
                inner.budget = 1
                return True
        return False

    def _attempt(self, loop: Loop, line: int, record, done) -> bool:
        """Record then compile; False (with a trace-abort event) if either gives up.

        The user's exceptions raised while recording propagate unchanged; any other
        failure of the JIT is an abort, so the program's result never depends on it."""
        from .trace.recorder import Abort, UserRaised
        t0 = time.perf_counter()
        ev.emit(ev.TraceStart(loop.id, line))
        user_error = None
        try:
            if _emulation_running():
                raise Abort("called from emulated code (a residual call): not traced now", line)
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
        loop.abort_line = where
        ev.emit(ev.TraceAbort(loop.id, reason, where, time.perf_counter() - t0))
        return False

    @staticmethod
    def _written(loop: Loop, frame: Frame) -> tuple:
        return frame.local_values(loop.assigned) if loop.assigned else ()

    @staticmethod
    def _budget(loop: Loop) -> int:
        if loop.blacklisted:
            return NEVER
        # a compiled loop is entered from its first iteration (unless its machine code is
        # running already, further up: a residual call came back to this loop)
        if (loop.compiled is not None and not loop.compiled.running) or loop.retry_soon:
            loop.retry_soon = False
            return 1
        return loop.threshold()


_NUMBERS = (int, float, bool)


def _test_again(info: LoopInfo, f_locals: dict, f_globals: dict) -> bool:
    """May a `while` loop's test run again at its header?  Only a plain test (see
    ``LoopInfo.test_names``) over names that hold numbers."""
    names = info.test_names
    if names is None:
        return False
    for name in names:
        v = f_locals[name] if name in f_locals else f_globals.get(name)
        if type(v) not in _NUMBERS:
            return False
    return True


def _emulation_running() -> bool:
    import sys
    emu = sys.modules.get("jitnb.emu.unicorn_exec")
    return emu is not None and emu.running()


def _rewind(it: Any, code: CodeUnit, info: LoopInfo) -> tuple | None:
    """Step a range or array iterator back over the item it has just produced, so that
    machine code entered at the loop header produces it again (and stores it again in the
    loop variable: only a plain name is allowed as the target).  Returns what undoes it:
    ``(iterator, position after the item)``; None when the loop does not allow it."""
    if info.body_pc != info.header_pc + 3 or \
            code.instrs[info.header_pc + 2].op not in (O.STORE_FAST, O.STORE_GLOBAL):
        return None
    kind = type(it).__name__
    if kind not in ("range_iterator", "arrayiterator"):
        return None
    position = it.__reduce__()[2]
    if type(position) is not int or position <= 0:
        return None
    it.__setstate__(position - 1)
    return it, position


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
