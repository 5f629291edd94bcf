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

import ctypes
import sys
from typing import Any

from .. import events as ev
from .compiled import EXIT_FINISH, CompiledLoop, tag_result
from .driver import NOT_ENTERED, Loop, Unit, strip_traceback
from .interp.frame import UNBOUND, Frame
from .lang.compiler import LoopInfo

MAX_NESTING = 48    # entries active at once (each costs several Python frames; beyond
                    # it CPython runs the call).  Deep enough that a recursion whose
                    # compiled calls fail all the way down reaches the failing guard.


NEVER = (1 << 30) - 1   # the budget of an entry CPython keeps (one digit: a cheap decrement)
WORTH_SAMPLE = 256   # calls between checks that entering from CPython pays
WORTH_OPS = 200      # a trace this long (or with calls/loops) gains on CPython's call
DEOPT_SAMPLE = 1000  # calls before an entry whose calls mostly deopt is given up
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
        self.calls = self.deopts = 0    # calls entered; of them, finished by the interpreter
        self.exc: BaseException | None = None   # the call's exception, for the prologue
        self.exc_line = 0
        self.tracing = False
        self.results: list = []     # finish tag -> result kind, shared by all variants
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
        if self.tracing or engine.entry_depth >= MAX_NESTING or _deep():
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
            busy = getattr(compiled.executor, "busy", None)
            if busy is not None and busy():
                continue   # called from a residual call of emulated code: its machine is in use
            if compiled.running:    # called again from a residual call: its frame is in use
                return NOT_ENTERED
            fast = _Fast.of(compiled)
            if fast is not None:
                entered = fast.run(compiled, frame)
                if entered is _Fast.MISS:
                    continue
                if entered is not _Fast.EXITED:
                    self._count(compiled)
                    return entered
                break
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
        self._count(compiled)
        if compiled.last_exit == EXIT_FINISH:
            return compiled.value
        self.engine.maybe_bridge(self, frame)
        exit = compiled.last_exit
        if compiled.guards[exit].bridge is None and not compiled.entry_call_exit(exit):
            self.deopts += 1
            if self.calls >= DEOPT_SAMPLE and 2 * self.deopts > self.calls:
                self._blacklist("most calls leave the machine code by a guard")
        return self._finish(frame)

    def _count(self, compiled: CompiledLoop) -> None:
        """Every WORTH_SAMPLE calls: code without calls or loops that is this short does
        less than CPython's call into it costs, so CPython runs the function again (the
        code stays for compiled callers)."""
        self.calls += 1
        if self.calls % WORTH_SAMPLE == 0 and not any(_worth_entering(v) for v in self.variants):
            self.budget = NEVER
            self.abort_reasons.append("too short to gain on a call from CPython")

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

        recorders, compiled_results = [], []
        own = _SelfCall(self)

        def record():
            rec = Recorder(frame, self.info, engine.interp, params.trace_limit,
                           inner_loop=engine._compiled_inner(self.unit),
                           inline_unit=engine._inlinable, inline_depth=params.inline_depth,
                           entry_call=entry_calls(engine, own))
            rec.wait_for_loops = self.left < 3     # then hand such a loop to the interpreter
            recorders.append(rec)
            return rec.record()

        def done(recorded, t_record):
            if own.descr is not None:
                own.check(recorded)
            compiled_results.append(recorded.result)
            tag_result(self.results, recorded)      # before the code is made
            compiled = compile_loop(self, recorded, params, t_record=t_record,
                                    frame=own.descr.frame if own.descr is not None else None)
            compiled.results = self.results
            compiled.called_from_code = False
            if own.descr is not None:
                own.link(compiled)
            self.variants.append(compiled)

        self.tracing = True
        try:
            ok = engine._attempt(self, self.line, record, done)
        finally:
            self.tracing = False
        if ok and compiled_results[-1] is None:
            return self._finish(frame)      # the trace stops at a loop: the interpreter goes on
        if ok:
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

    def entry_calls(self):
        return entry_calls(self.engine, None)

    def check_bridge(self, compiled, recorded) -> None:
        from .compiled import _pure_op
        from .trace.recorder import Abort
        if getattr(compiled, "called_from_code", False) and not all(
                _pure_op(op) for op in recorded.trace.ops):
            raise Abort("bridge with effects in a function called from machine code: NYI",
                        self.line)

    def _blacklist(self, reason: str) -> None:
        self.blacklisted = True
        self.budget = NEVER
        if not self.abort_reasons or self.abort_reasons[-1] != reason:
            self.abort_reasons.append(reason)
        ev.emit(ev.Blacklisted(self.id, reason))

    def __repr__(self) -> str:
        return f"<function entry {self.id} {self.unit.qualname} line {self.line}>"


# -- calls between compiled functions --------------------------------------------------------
SELF_FRAME_SLOTS = 256


def _simple_inputs(recorded, nparams: int) -> bool:
    """Inputs are the iteration counter then the parameters, all numbers (what a call
    from machine code passes)."""
    specs = recorded.inputs
    return (len(specs) == 1 + nparams and specs[0].loc.where == "iter"
            and all(s.loc.where == "fast" and s.loc.key == i and not s.part
                    for i, s in enumerate(specs[1:])))


class _SelfCall:
    """The target of a function's calls to itself while its first trace is recorded: a
    frame array now, the code's address once it is loaded."""

    def __init__(self, entry: FunctionEntry) -> None:
        self.entry = entry
        self.descr = None

    def target(self, types: list, rec):
        from .compiled import EntryCall
        code = self.entry.unit.code
        specs = rec.specs
        if len(types) != len(code.params) or len(specs) != 1 + len(types):
            return None     # other inputs (globals, arrays) than its parameters: NYI
        if [s.py for s in specs[1:]] != types or any(s.part for s in specs):
            return None
        if self.descr is None:
            from .backend.machine import frame_for
            from .ir.trace import Trace
            frame = frame_for(Trace(rec.inputs, rec.ops), self.entry.unit.params, SELF_FRAME_SLOTS)
            if frame is None:
                return None
            kinds = "i" + "".join("f" if t is float else "i" for t in types)
            self.descr = EntryCall(frame, kinds)
        return self.descr

    def check(self, recorded) -> None:
        from .compiled import _pure_op
        from .trace.recorder import Abort
        if not _simple_inputs(recorded, len(self.entry.unit.code.params)):
            raise Abort("recursive call in a function with global or array inputs: NYI",
                        self.entry.line)
        if not all(_pure_op(op) for op in recorded.trace.ops):
            raise Abort("recursive call in a function with effects: NYI", self.entry.line)

    def link(self, compiled) -> None:
        executor = compiled.executor
        while hasattr(executor, "machine"):
            executor = executor.machine
        self.descr.executor = compiled.executor
        entry = getattr(executor, "entry_address", 0)
        if entry:
            self.descr.entry_address = entry
            executor.link_calls(self.descr, entry)
        compiled.entry_descr = self.descr
        compiled.called_from_code = True


def _variant_call(entry: FunctionEntry, types: list, rec):
    """A compiled variant of `entry` that machine code can call with these argument types."""
    from .compiled import EntryCall
    nparams = len(entry.unit.code.params)
    for v in entry.variants:
        specs = v.recorded.inputs
        if not (_simple_inputs(v.recorded, nparams) and [s.py for s in specs[1:]] == types
                and v.pure):
            continue
        for loc, obj in v.recorded.checks:      # the callee's constants must be the caller's
            if loc.where == "global":
                sh = rec._shadow_at(loc, 0)
                if not (getattr(sh, "obj", _NO) is obj):
                    return None
            elif loc.where == "modattr":
                rec.checks.append((loc, obj))
            else:
                return None
        rec.builtin_checks.extend(c for c in v.recorded.builtin_checks
                                  if c not in rec.builtin_checks)
        descr = getattr(v, "entry_descr", None)
        if descr is None:
            if getattr(v.executor, "frame", None) is None:
                v.executor.frame = (ctypes.c_int64 * SELF_FRAME_SLOTS)()
            descr = v.entry_descr = EntryCall(v.executor.frame, "".join(
                "f" if s.py is float else "i" for s in specs), v.executor)
        v.called_from_code = True
        return descr
    return None


_NO = object()


def entry_calls(engine, own: _SelfCall | None):
    """The recorder's hook: (EntryCall, the callee's result table) for a call machine code
    can make to a compiled function (or, while its first trace is recorded, to itself)."""
    def hook(fn, types: list, rec):
        entry = engine.entry_of(fn)
        if entry is None or entry.blacklisted or fn.__globals__ is not rec.frame.globals:
            return None
        if own is not None and entry is own.entry:
            descr = own.target(types, rec)
        else:
            descr = _variant_call(entry, types, rec)
        if descr is None:
            return None
        return descr, entry.results
    return hook


def _worth_entering(compiled: CompiledLoop) -> bool:
    from .ir import ops as O
    traces = [compiled.trace] + [t for _, _, t in compiled.bridges]
    return any(op.num == O.CALL_LOOP for t in traces for op in t.ops) or \
        max(len(t.ops) for t in traces) >= WORTH_OPS


class _Fast:
    """Entering a native variant whose inputs are its numeric parameters without the
    general path: arguments straight into its frame, its function pointer called, the
    result read back.  Function traces without loops do not poll the interrupt word, so
    no SIGINT watch is set up (a loop they call makes them take the general path)."""

    MISS, EXITED = object(), object()

    def __init__(self, compiled: CompiledLoop, machine) -> None:
        self.machine = machine
        self.fn = machine.code._fn
        self.frame = machine.frame
        self.floats = (ctypes.c_double * len(machine.frame)).from_buffer(machine.frame)
        self.types = [s.py for s in compiled.recorded.inputs[1:]]
        self.globals = [(loc.key, obj) for loc, obj in compiled.recorded.checks
                        if loc.where == "global"]
        self.attrs = [loc.key + (obj,) for loc, obj in compiled.recorded.checks
                      if loc.where == "modattr"]
        self.builtins = list(compiled.recorded.builtin_checks)
        self.bridges = len(compiled.bridges)

    @classmethod
    def of(cls, compiled: CompiledLoop) -> "_Fast | None":
        fast = getattr(compiled, "fast", None)
        if fast is not None and fast.bridges == len(compiled.bridges):
            return fast
        from .backend.machine import NativeExecutor
        from .compiled import EntryCall
        from .ir import ops as O
        machine = compiled.executor
        fast = None
        if type(machine) is NativeExecutor and _simple_inputs(
                compiled.recorded, len(compiled.recorded.inputs) - 1) and all(
                (op.num != O.CALL_LOOP or isinstance(op.descr, EntryCall)) and op.num != O.CALL_PY
                for t in [compiled.trace] + [t for _, _, t in compiled.bridges] for op in t.ops):
            fast = cls(compiled, machine)
        compiled.fast = fast
        return fast

    def run(self, compiled: CompiledLoop, pyframe: Frame) -> Any:
        """The call's value; MISS if the arguments do not fit; EXITED (a guard failed:
        ``pyframe`` is at its resume point, as after ``CompiledLoop.run``)."""
        from .trace.recorder import INT_MAX, INT_MIN
        frame, floats = self.frame, self.floats
        for k, t in enumerate(self.types):
            a = pyframe.fast[k]
            if type(a) is not t:
                return self.MISS
            if t is float:
                floats[2 + k] = a
            elif t is bool:
                frame[2 + k] = int(a)
            elif INT_MIN <= a <= INT_MAX:
                frame[2 + k] = a
            else:
                return self.MISS
        g = pyframe.globals
        for name, obj in self.globals:
            if g.get(name, _NO) is not obj:
                return self.MISS
        for module, name, obj in self.attrs:
            if getattr(module, name, _NO) is not obj:
                return self.MISS
        for name, obj in self.builtins:
            if name in g or pyframe.builtins.get(name) is not obj:
                return self.MISS
        frame[0] = frame[1] = 0
        compiled.entries += 1
        index = self.fn(frame)
        if index == EXIT_FINISH:
            how, kind = compiled.results[frame[1]]
            if how == "obj":
                return kind
            return floats[2] if kind is float else kind(frame[2])
        # a guard failed: what the general path does after the machine code
        values = self.machine.execute_result(index)
        compiled.guards[index].failures += 1
        guard = compiled.exits[index]
        compiled._dummied = []       # (nothing was made up for this entry)
        compiled.box(pyframe, guard.snapshot.resume, guard.snapshot, values, 0)
        compiled.last_exit = index
        ev.emit(ev.GuardFailed(compiled.loop_id, index, guard.snapshot.line,
                               compiled.guards[index].failures))
        return self.EXITED
