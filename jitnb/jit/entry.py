"""Function entries: a hot function is traced from its first bytecode to its return.

    CPython call ─► prologue: E.budget -= 1; if E.budget <= 0: r = E.call(globals(), *args)
                      │ first hot call: record the whole call (it runs for real); the
                      │   trace ends in finish(tag, value)
                      │ later calls: unbox the arguments ─► machine code ─► finish: box
                      │   └► a guard fails: the interpreter finishes the call (bridges)
                      ▼
    r is a value: return r    r is NOT_ENTERED: CPython runs the body, or E.exc is
                              raised from the statement at E.exc_line

Each specialisation (argument types, constant objects) is one ``CompiledLoop``; calls
that match none run as plain CPython, and after ``function_threshold`` such calls a new
one is traced (at most ``max_retrace``).
"""
from __future__ import annotations

import sys
from typing import Any

from .. import events as ev
from .compiled import EXIT_FINISH, CompiledLoop
from .driver import NEVER, NOT_ENTERED, Loop, Unit, strip_traceback
from .interp.frame import UNBOUND, Frame
from .lang.compiler import LoopInfo

MAX_NESTING = 12    # entries active at once (beyond: CPython runs the call, as it costs
                    # CPython's recursion budget several frames per level)


HEADROOM = 250      # Python frames left free below the recursion limit when entering


def _deep() -> bool:
    """Is the Python stack within HEADROOM frames of the recursion limit?  (jitnb's own
    frames must not make a recursion fail earlier than it would in CPython.)"""
    try:
        sys._getframe(sys.getrecursionlimit() - HEADROOM)
    except ValueError:
        return False
    return True


class FunctionEntry(Loop):
    """Runtime state of one instrumented function: call budget, compiled variants."""

    kind = "function"

    def __init__(self, id: int, unit: Unit, engine) -> None:
        super().__init__(id, unit, unit.lineno, 0, [], engine)
        self.budget = unit.params.function_threshold
        self.variants: list[CompiledLoop] = []
        self.misses = 0
        self.exc: BaseException | None = None   # the call's exception, for the prologue
        self.exc_line = 0
        self._info = LoopInfo(-1, "function", unit.lineno, header_pc=-1, body_pc=0, exit_pc=-1)

    @property
    def info(self) -> LoopInfo:
        return self._info

    def take(self) -> BaseException:
        exc, self.exc = self.exc, None
        return exc

    # -- the prologue's call ------------------------------------------------------------
    def call(self, f_globals: dict, *args: Any) -> Any:
        """The call's return value, or ``NOT_ENTERED`` when CPython is to run the body
        (``exc`` set: raise it instead)."""
        params = self.unit.params
        engine = self.engine
        if self.blacklisted or not params.jit:
            self.budget = NEVER
            return NOT_ENTERED
        if engine.entry_depth >= MAX_NESTING or _deep():
            return NOT_ENTERED
        code = self.unit.code
        if not code.complete:
            self._blacklist(f"not all of the function is JIT-able: {code.rejects[0]}")
            return NOT_ENTERED
        if len(args) != len(code.params):
            return NOT_ENTERED
        frame = Frame(code, f_globals, list(args) + [UNBOUND] * (len(code.localnames) - len(args)))
        engine.entry_depth += 1
        try:
            return self._run(frame)
        except BaseException as exc:  # the user's: raised by the prologue at its line
            self.exc, self.exc_line = strip_traceback(exc), frame.line
            return NOT_ENTERED
        finally:
            engine.entry_depth -= 1

    def _run(self, frame: Frame) -> Any:
        for compiled in self.variants:
            if compiled.run(frame):
                break
        else:
            if self.variants:
                self.misses += 1
                if self.misses % max(self.unit.params.function_threshold, 1):
                    return NOT_ENTERED
                if len(self.variants) >= self.unit.params.max_retrace:
                    self._blacklist("argument types keep changing (max_retrace variants)")
                    return NOT_ENTERED
            return self._trace(frame)
        self.compiled = compiled
        if compiled.last_exit == EXIT_FINISH:
            return compiled.value
        self.engine.maybe_bridge(self, frame)
        return self._finish(frame)

    def _finish(self, frame: Frame) -> Any:
        """jitnb's interpreter runs the call to its return (loops in it still get traced)."""
        engine = self.engine
        return engine.interp.run(frame, None, engine._inner_header(self.unit))[1]

    def _trace(self, frame: Frame) -> Any:
        """Record the call from its start (running it), then compile the trace."""
        from .backend.pipeline import compile_loop
        from .trace.recorder import Recorder
        engine, params = self.engine, self.unit.params
        self.hot_count += 1
        if self.hot_count == 1:
            ev.emit(ev.FunctionHot(self.id, self.scope, self.line, params.function_threshold))

        recorders = []

        def record():
            rec = Recorder(frame, self.info, engine.interp, params.trace_limit,
                           inner_loop=engine._compiled_inner(self.unit),
                           inline_unit=engine._inlinable, inline_depth=params.inline_depth)
            recorders.append(rec)
            return rec.record()

        def done(recorded, t_record):
            compiled = compile_loop(self, recorded, params, t_record=t_record)
            compiled.tag_result(recorded)
            self.variants.append(compiled)

        if engine._attempt(self, self.line, record, done):
            return frame.stack.pop()        # the recording ran the call to its return
        reason = self.abort_reasons[-1]
        if "not compiled yet" in reason and self.left < 20:
            self.left += 1                  # its loop gets compiled first: not a bad function
        else:
            self.aborts += 1
        if self.aborts >= params.max_retrace:
            self._blacklist(reason)
        elif not self.variants:
            self.budget = params.function_threshold   # try again later
        if recorders and recorders[0].discardable:
            return NOT_ENTERED              # nothing visible happened: CPython runs the call
        return self._finish(frame)

    def _blacklist(self, reason: str) -> None:
        self.blacklisted = True
        self.budget = NEVER
        if not self.abort_reasons or self.abort_reasons[-1] != reason:
            self.abort_reasons.append(reason)
        ev.emit(ev.Blacklisted(self.id, reason))

    def __repr__(self) -> str:
        return f"<function entry {self.id} {self.unit.qualname} line {self.line}>"
