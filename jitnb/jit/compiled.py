"""A compiled loop: entering it from an interpreter frame, and leaving it at a guard.

    frame at loop header ─► unbox inputs (type checks) ─► executor runs the trace
          ▲                                                    │ guard k fails
          └──── blackhole: interpreter finishes the iteration ◄┘ box snapshot k into the frame
"""
from __future__ import annotations

import array
import ctypes
import struct
import time
from dataclasses import dataclass, field
from typing import Any, Protocol

from ..events import emit
from .. import events as ev
from .interp.frame import UNBOUND, Frame
from .interp.tracebacks import with_frames
from .interrupts import stoppable, watcher
from .ir import interp as ir_interp
from .ir import ops as O
from .ir.trace import Const, Trace
from ..emu.native import from_slot, to_slot
from .trace import lists
from .trace import objects as OB
from .trace import residual
from .lang import liveness
from .trace.recorder import CALL_EXIT, INT_MAX, INT_MIN, ITERATIONS, Loc, Recorded, Resume, position


class Executor(Protocol):
    name: str

    def execute(self, inputs: list) -> tuple[int, list, int]:
        """Run the loop from `inputs`; return (exit number, fail_args values, iterations)."""

    def attach_bridge(self, exit: int, bridge: Trace, first_exit: int) -> None:
        """From now on, exit `exit` continues in `bridge`, whose guards are numbered
        from `first_exit`."""


class LoopCall:
    """How another trace calls this compiled loop (the ``descr`` of ``call_loop``): its
    machine-code entry and its frame array, where the exit values are left."""

    def __init__(self, executor, input_kinds: list[str]):
        self.executor = executor
        self.input_kinds = "".join(input_kinds)
        self.frame = getattr(executor, "frame", None)
        if self.frame is None:
            self.frame = executor.frame = (ctypes.c_int64 * 256)()
        self.frame_address = ctypes.addressof(self.frame)
        code = getattr(executor, "code", None)
        self.entry_address = (code.address + executor.image.entry) if code is not None else 0

    def call_reference(self, args: list) -> int:
        """What the machine code does, in Python: run the loop, leave its exit values."""
        index, values, _ = self.executor.execute(list(args))
        for j, v in enumerate(values):
            self.frame[1 + j] = to_slot(v, "f" if isinstance(v, float) else "i")
        return index

    def __str__(self) -> str:
        return f"loop@{self.entry_address:#x}" if self.entry_address else "loop"


EXIT_INTERRUPT = -2    # the loop stopped at its header; the values are the label's
EXIT_FINISH = -1       # a function trace returned: finish(tag, value...)


def _positional(values: dict) -> list:
    return [values[i] for i in range(len(values))]


class ReferenceExecutor:
    """Runs traces on the reference IR interpreter (portable, slow: the oracle)."""

    name = "reference"

    def __init__(self, trace: Trace):
        self.trace = trace
        self.bridges: dict[int, tuple[Trace, int]] = {}

    @staticmethod
    def _fail_values(ex: ir_interp.Exit) -> list:
        names = {id(v): n for n, v in ex.guard.snapshot.values}
        return [ex.values[names[id(v)]] for v in ex.guard.snapshot.fail_args()]

    interrupted = False
    CHUNK = 4096   # iterations between polls of the interrupt flag

    def execute(self, inputs: list, max_iterations: int | None = None) -> tuple[int, list, int]:
        iterations = 0
        self.interrupted = False
        while True:
            try:
                ex = ir_interp.run(self.trace, inputs, max_iterations or self.CHUNK)
            except ir_interp.Interrupted as stop:
                iterations += stop.iterations
                if max_iterations is not None:
                    raise
                if self.interrupted:
                    return EXIT_INTERRUPT, stop.values, iterations
                inputs = stop.values
                continue
            iterations += ex.iterations
            if ex.index == EXIT_FINISH:
                return ex.index, _positional(ex.values), iterations
            index, values = ex.index, self._fail_values(ex)
            while index in self.bridges:
                bridge, first = self.bridges[index]
                bx = ir_interp.run(bridge, values, stop_at_jump=True)
                if bx.index == -2:  # the bridge went back to the loop
                    inputs = _positional(bx.values)
                    iterations += 1
                    break
                if bx.index == EXIT_FINISH:
                    return bx.index, _positional(bx.values), iterations
                index, values = first + bx.index, self._fail_values(bx)
            else:
                return index, values, iterations

    def attach_bridge(self, exit: int, bridge: Trace, first_exit: int) -> None:
        self.bridges[exit] = (bridge, first_exit)


class CheckedExecutor:
    """Runs machine code and, as an oracle, the reference interpreter on the same inputs;
    any difference in exit or values is a JIT bug and raises AssertionError.  Given the
    `original` (unoptimised) trace, it also checks the optimiser: until a bridge is
    attached, the unoptimised trace must leave by the same snapshot with the same values
    and memory."""

    LIMIT = 20000  # reference iterations per check; longer runs are not compared

    def __init__(self, machine, trace: Trace, regions=None, original: Trace | None = None):
        self.machine, self.reference = machine, ReferenceExecutor(trace)
        self.original = original
        self.regions = regions or (lambda inputs: [])   # memory the trace may write
        self.name = machine.name + " (checked)"
        self.code_size = machine.code_size
        for attr in ("image", "code", "frame"):
            if hasattr(machine, attr):
                setattr(self, attr, getattr(machine, attr))
        self.checked = 0
        # a trace that changes objects (call_i, or in a loop it calls) cannot be run
        # twice: it runs unchecked
        self.changes, self.callees = False, []
        self._add_trace(trace)

    @property
    def last_bridge_bytes(self) -> int:
        return getattr(self.machine, "last_bridge_bytes", 0)

    def busy(self) -> bool:
        return self.machine.busy()

    def execute(self, inputs: list) -> tuple[int, list, int]:
        if self.unchecked:
            return self.machine.execute(list(inputs))
        regions = self.regions(inputs)
        before = [ctypes.string_at(a, n) for a, n in regions]
        with residual.logging(regions) as calls:    # residual calls: done once, replayed
            got = self.machine.execute(list(inputs))
        if got[0] == EXIT_INTERRUPT or calls.moved:   # (a call resized an array: the
            return got                                 # regions are stale, not compared)
        after = [ctypes.string_at(a, n) for a, n in regions]
        for (a, n), data in zip(regions, before):   # the reference starts from the same memory
            ctypes.memmove(a, data, n)
        again = calls.copy()                        # for the unoptimised trace's check
        try:
            with residual.replaying(calls):
                want = self.reference.execute(list(inputs), self.LIMIT)
        except ir_interp.Interrupted:
            want = None
        mine = [ctypes.string_at(a, n) for a, n in regions]
        for (a, n), data in zip(regions, after):     # and the machine's writes stay
            ctypes.memmove(a, data, n)
        if want is None:
            return got
        self.checked += 1
        same = got[0] == want[0] and len(got[1]) == len(want[1]) and all(
            _same_value(a, b) for a, b in zip(got[1], want[1])) and mine == after
        if not same:
            raise AssertionError(f"machine code and reference interpreter differ: exit "
                                 f"{got[0]} {got[1]} vs {want[0]} {want[1]} from {inputs}"
                                 + ("" if mine == after else " (memory differs)"))
        if self.original is not None and not self.reference.bridges and want[0] >= 0:
            for (a, n), data in zip(regions, before):
                ctypes.memmove(a, data, n)
            try:
                with residual.replaying(again):
                    self._check_original(inputs, want, regions, after)
            finally:
                for (a, n), data in zip(regions, after):
                    ctypes.memmove(a, data, n)
        return got[0], got[1], want[2]

    def _check_original(self, inputs: list, want, regions, after: list) -> None:
        """The unoptimised trace on the reference interpreter, from the same state."""
        guard = self.reference.trace.guards()[want[0]]
        try:
            if guard.descr == ir_interp.HEADER:     # an optimiser's check at the header
                ex = ir_interp.header_exit(self.original, list(inputs), want[2])
            else:
                ex = ir_interp.run(self.original, list(inputs), self.LIMIT)
        except ir_interp.Interrupted:
            return
        fail = guard.snapshot.fail_args()
        named = {n: (v.value if isinstance(v, Const) else want[1][fail.index(v)])
                 for n, v in guard.snapshot.values}
        mem = [ctypes.string_at(a, n) for a, n in regions]
        same = (ex.guard.snapshot.resume is guard.snapshot.resume
                and ex.guard.snapshot.line == guard.snapshot.line
                and ex.iterations == want[2] and ex.values.keys() == named.keys()
                and all(_same_value(ex.values[k], named[k]) for k in named) and mem == after)
        if not same:
            raise AssertionError(
                f"optimised and unoptimised trace differ from {inputs}: line "
                f"{guard.snapshot.line} {named} after {want[2]} iterations vs line "
                f"{ex.guard.snapshot.line} {ex.values} after {ex.iterations}"
                + ("" if mem == after else " (memory differs)"))

    def attach_bridge(self, exit: int, bridge: Trace, first_exit: int) -> None:
        self.machine.attach_bridge(exit, bridge, first_exit)
        self.reference.attach_bridge(exit, bridge, first_exit)
        self._add_trace(bridge)

    def _add_trace(self, trace: Trace) -> None:
        self.changes = self.changes or any(op.num == O.CALL_I for op in trace.ops)
        self.callees += [op.descr.executor for op in trace.ops
                         if op.num == O.CALL_LOOP and hasattr(op.descr, "executor")]

    @property
    def unchecked(self) -> bool:
        return self._unchecked(set())

    def _unchecked(self, seen: set) -> bool:
        """(``seen``: the executors asked already; compiled functions call themselves.)"""
        seen.add(id(self))
        return self.changes or any(
            c._unchecked(seen) if isinstance(c, CheckedExecutor) else getattr(c, "unchecked", False)
            for c in self.callees if id(c) not in seen)


def tag_result(results: list, recorded: Recorded) -> None:
    """Number a function trace's (or bridge's) ``finish`` by the kind of value it
    returns (its first argument); before the trace is optimised and assembled."""
    if recorded.result is not None:
        recorded.trace.ops[-1].args[0] = Const(result_tag(results, recorded.result))


def result_tag(results: list, result: tuple) -> int:
    """The tag of a function's result kind, ("num", type) or ("obj", object), in its
    table (added if new); objects are told apart by identity."""
    how, what = result
    for i, (h, w) in enumerate(results):
        if h == how and w is what:
            return i
    results.append(result)
    return len(results) - 1


# the nesting of calls between compiled functions (the one word they share): machine code
# recursion stays well below CPython's recursion limit (see entry.HEADROOM)
CALL_DEPTH = (ctypes.c_int64 * 1)()
CALL_DEPTH_ADDRESS = ctypes.addressof(CALL_DEPTH)
MAX_CALL_DEPTH = 200


def _pure_op(op) -> bool:
    from .ir import ops as O
    if op.num in (O.SETARRAYITEM_RAW_I, O.SETARRAYITEM_RAW_F):
        base = op.args[0]
        return isinstance(base, Const) and base.value == CALL_DEPTH_ADDRESS
    if op.num == O.CALL_LOOP:
        return isinstance(op.descr, EntryCall) and op.descr.pure
    return op.num not in (O.CALL_I, O.CALL_PY)     # the C API on objects, any callable


class EntryCall:
    """How machine code calls a compiled function (the ``descr`` of ``call_loop``): its
    entry and frame array.  A trace calling itself gets one before its code exists; the
    entry address is filled in (and the call sites patched) once it is loaded."""

    def __init__(self, frame, input_kinds: str, executor=None, pure: bool = True):
        self.frame = frame
        self.frame_address = ctypes.addressof(frame)
        self.input_kinds = input_kinds
        self.executor = executor
        machine = executor
        while hasattr(machine, "machine"):
            machine = machine.machine
        self.entry_address = getattr(machine, "entry_address", 0) if machine else 0
        self.pure = pure

    def call_reference(self, args: list) -> int:
        """What the machine code does, in Python (the exit values to the frame)."""
        executor = self.executor
        while hasattr(executor, "machine"):     # not checked again: it is the callee's code
            executor = executor.machine
        index, values, _ = executor.execute(list(args))
        for j, v in enumerate(values):
            self.frame[1 + j] = to_slot(v, "f" if isinstance(v, float) else "i")
        return index

    def __str__(self) -> str:
        return f"function@{self.entry_address:#x}" if self.entry_address else "function"


def _same_value(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        return struct.pack("<d", float(a)) == struct.pack("<d", float(b))
    return a == b


@dataclass
class GuardStats:
    failures: int = 0
    bridge: Trace | None = None     # the bridge attached to this exit
    bridge_aborts: int = 0
    recording: bool = False         # a bridge from it is being recorded


@dataclass
class CompiledLoop:
    loop_id: int
    recorded: Recorded
    trace: Trace                    # optimised
    executor: Any
    guards: list[GuardStats] = field(default_factory=list)   # one per exit number
    entries: int = 0
    iterations: int = 0
    interp: Any = None              # jitnb's interpreter, to finish inlined calls after a guard
    pending: list = field(default_factory=list)   # inlined frames left by the last exit
    pending_posts: list = field(default_factory=list)  # how each of them returns (objects.complete)

    header_pc: int = 0
    header_line: int = 0
    opt_log: Any = None             # what each optimisation pass did (opt.log.PassLog)
    exit_iterations: int = 0        # iterations run by the last entry (the trace counts them)
    step_mismatch: bool = False     # an entry failed on a range step of the same sign only
    call_exit: int = -1             # the exit an inner loop took, at an exit after call_loop
    _dummied: list = field(default_factory=list)   # dead locals made up at the last entry
    running: bool = False           # machine code of this loop is running (a residual call
    raising: Any = None             # may come back here); the exception a call raised
    stale: bool = False             # the last entry failed because classes or objects changed
    results: list = field(default_factory=list)   # finish tag -> ("num", type) | ("obj", x)
    value: Any = None               # what the last entry returned (function traces)

    def __post_init__(self) -> None:
        word = getattr(self.executor, "frame", None)
        if word is not None:  # SIGINT sets its word 0 while the loop runs
            with watcher.lock:
                watcher.words.append(word)
        self.exits = self.trace.guards()       # exit number -> guard op (loop, then bridges)
        self.guards = [GuardStats() for _ in self.exits]
        self.bridges: list[tuple[int, Recorded, Trace]] = []   # (exit, recorded, optimised)

    @property
    def guard_ops(self) -> list:
        return self.exits

    def call_descr(self) -> LoopCall:
        if getattr(self, "_call", None) is None:
            self._call = LoopCall(self.executor, [v.kind for v in self.trace.inputs])
        return self._call

    def tag_result(self, recorded: Recorded) -> None:
        tag_result(self.results, recorded)

    def entry_call_exit(self, exit: int) -> bool:
        """Is this exit a function trace's hand-over to the interpreter, or one of the
        checks after a call to a compiled function (that it returned, and a result of
        the kind expected)?  No bridge then: the callee's own
        guards get bridges; the caller redoes the call in the interpreter (the callee
        has no other effect), or resumes after it with a result of another kind."""
        from .ir import ops as O
        from .ir.trace import resolve
        guard = self.exits[exit]
        for t in [self.trace] + [t for _, _, t in self.bridges]:
            last = t.ops[-1]
            if last.num == O.FINISH and not last.args and t.guards() and t.guards()[-1] is guard:
                return True     # where a function trace hands over to the interpreter
        if guard.num != O.GUARD_VALUE:
            return False
        v = resolve(guard.args[0])
        if getattr(v, "num", None) == O.CALL_LOOP:
            return isinstance(v.descr, EntryCall)
        if getattr(v, "num", None) == O.GETARRAYITEM_RAW_I:
            base = resolve(v.args[0])
            return isinstance(base, Const) and base.value in self._entry_frames()
        return False

    def _entry_frames(self) -> set:
        from .ir import ops as O
        ops = list(self.trace.ops) + [op for _, _, t in self.bridges for op in t.ops]
        return {op.descr.frame_address for op in ops
                if op.num == O.CALL_LOOP and isinstance(op.descr, EntryCall)}

    @property
    def pure(self) -> bool:
        """No effect but its result (so a caller may redo the call after any exit)."""
        return all(_pure_op(op) for op in self.trace.ops) and all(
            _pure_op(op) for _, _, t in self.bridges for op in t.ops)

    def add_bridge(self, exit: int, recorded: Recorded, trace: Trace) -> None:
        first = len(self.exits)
        self.executor.attach_bridge(exit, trace, first)
        self.guards[exit].bridge = trace
        new = trace.guards()
        self.exits.extend(new)
        self.guards.extend(GuardStats() for _ in new)
        self.bridges.append((exit, recorded, trace))

    # -- entry ------------------------------------------------------------------------
    def unbox(self, frame: Frame, unbound_matches: bool = False) -> list | None:
        """The trace inputs from the frame, or None if the frame does not match the trace
        (`unbound_matches`: an unbound local counts as matching; only to ask whether the
        frame would match once the locals are bound, never to run)."""
        self.stale = False
        base = len(frame.stack) - self.recorded.header_depth
        if base < 0:
            return None
        steps = None if unbound_matches else _unbox_plan(self.recorded)
        vals: list | None = None
        if steps is not None:
            vals = self._unbox_simple(frame, steps, base)
            if vals is None:
                return None
        if vals is None or vals is _GENERIC:
            vals = self._unbox_inputs(frame, base, unbound_matches)
            if vals is None:
                return None
        for loc, obj in self.recorded.checks:
            if _read(frame, loc, base) is not obj:
                if unbound_matches and loc.where == "shape" and \
                        _read(frame, loc.key[0], base) is UNBOUND:
                    continue        # the instance the body has yet to make
                self.stale = loc.where in _OBJECT_CHECKS   # classes or objects changed
                return None
        for name, obj in self.recorded.builtin_checks:
            if name in frame.globals or frame.builtins.get(name) is not obj:
                return None
        world = self.recorded.world
        if world is not None:      # residual calls: their namespace, the arrays they may not resize
            if world.namespace is not frame.globals:
                return None
            world.arrays = []
            for loc in world.array_locs:
                arr = _array_at(frame, loc, base)
                world.arrays.append((arr, arr.buffer_info()))
        return vals

    @property
    def _input_locals(self) -> dict:
        """id(input) -> local index, for the trace's inputs that are fast locals."""
        got = self.__dict__.get("_input_local_map")
        if got is None:
            got = self._input_local_map = {
                id(v): spec.loc.key for v, spec in zip(self.trace.inputs, self.recorded.inputs)
                if spec.loc.where == "fast" and not spec.part}
        return got

    def _dead(self, frame: Frame) -> frozenset:
        """The locals dead at the loop's header (lang/liveness.py): unbound there, they are
        still no obstacle to entering, whatever the trace takes them for."""
        dead = self.__dict__.get("_dead_locals")
        if dead is None:
            dead = self._dead_locals = liveness.dead_at(frame.unit, self.header_pc)
        return dead

    def _unbox_simple(self, frame: Frame, steps: list, base: int) -> list | None:
        """The inputs by ``_unbox_plan`` (None: no match; _GENERIC: ask ``_unbox_inputs``)."""
        vals: list = []
        dummied = self._dummied = []
        fast, stack, glob = frame.fast, frame.stack, frame.globals
        for op, w, key, arg in steps:
            if op == 0:
                vals.append(0)
                continue
            v = fast[key] if w == 0 else stack[base + key] if w == 1 else glob.get(key, _MISSING)
            if op == 1:
                if type(v) is not arg or (arg is int and not INT_MIN <= v <= INT_MAX):
                    if v is UNBOUND and w == 0 and key in self._dead(frame):
                        vals.append(arg())     # never read: any value of its type will do
                        dummied.append(key)
                        continue
                    return None
                vals.append(int(v) if arg is bool else v)
            elif op <= 3:
                if type(v) is not _RANGE_ITER:
                    return None
                _, (rng,), idx = v.__reduce__()
                if rng.step != arg:
                    return _GENERIC     # (it tells a step that only differs, see there)
                x = rng.start + idx * rng.step if op == 2 else rng.stop
                if not INT_MIN <= x <= INT_MAX:
                    return None
                vals.append(x)
            else:
                if type(v) is not array.array or v.typecode != arg:
                    return _GENERIC     # (an array iterator, or no match)
                vals.append(v.buffer_info()[op - 4])
        return vals

    def _unbox_inputs(self, frame: Frame, base: int, unbound_matches: bool) -> list | None:
        vals: list = []
        dummied = self._dummied = []
        for spec in self.recorded.inputs:
            if spec.loc.where == "iter":
                vals.append(0)
                continue
            if unbound_matches and spec.loc.where == "vfield" and \
                    _read(frame, spec.loc.key[0], base) is UNBOUND:
                vals.append(0)      # a field of an instance the body has yet to make
                continue
            v = _read(frame, spec.loc, base)
            if spec.part in lists.SEQ_PARTS:
                got = lists.iterated(v)
                seq, idx = got if got is not None else (v, None)
                if type(seq) is not (spec.py if spec.part == "sptr" else type(seq)) or \
                        (spec.part == "sidx" and idx is None):
                    return None
                vals.append(id(seq) if spec.part == "sptr" else idx)
                continue
            if spec.part in ("abase", "alen", "aidx"):
                idx = 0
                if type(v).__name__ == "arrayiterator":
                    _, (v,), idx = v.__reduce__()
                if type(v) is not array.array or v.typecode != spec.typecode:
                    return None
                address, length = v.buffer_info()
                vals.append({"abase": address, "alen": length, "aidx": idx}[spec.part])
                continue
            if spec.part:
                if type(v).__name__ != "range_iterator":
                    return None
                _, (rng,), idx = v.__reduce__()
                if spec.vstep:
                    if (rng.step > 0) != (spec.step > 0):
                        return None
                elif rng.step != spec.step:
                    if (rng.step > 0) == (spec.step > 0):
                        self.step_mismatch = True   # a trace for any step would fit
                    return None
                x = (rng.start + idx * rng.step if spec.part == "cur" else
                     rng.stop if spec.part == "stop" else rng.step)
                if not INT_MIN <= x <= INT_MAX:
                    return None
                vals.append(x)
            elif type(v) is not spec.py or (spec.py is int and not INT_MIN <= v <= INT_MAX):
                if v is UNBOUND and (unbound_matches or (spec.loc.where == "fast" and
                                                         spec.loc.key in self._dead(frame))):
                    vals.append(spec.py())   # (dead at the header: never read)
                    if spec.loc.where == "fast":
                        dummied.append(spec.loc.key)
                    continue
                return None
            else:
                vals.append(int(v) if spec.py is bool else v)
        return vals

    def run(self, frame: Frame) -> bool:
        """Run machine code from the frame (at the loop header).  False if it cannot enter."""
        busy = getattr(self.executor, "busy", None)
        if self.running or (busy is not None and busy()):
            return False   # entered again from a residual call: the machine is in use
        inputs = self.unbox(frame)
        if inputs is None:
            return False
        base = len(frame.stack) - self.recorded.header_depth
        self.entries += 1
        t0 = time.perf_counter()
        emit(ev.NativeEnter(self.loop_id, self.executor.name))
        with stoppable(flag=self.executor):
            self.running = True
            try:
                index, values, iterations = self.executor.execute(inputs)
            finally:
                self.running = False
            if index == EXIT_FINISH:
                how, what = self.results[values[0]]
                self.value = what if how == "obj" else what(values[1])
                self.last_exit, self.pending = index, []
                emit(ev.NativeLeave(self.loop_id, index, 0, time.perf_counter() - t0))
                return True
            if index == EXIT_INTERRUPT:  # KeyboardInterrupt follows, with the state saved
                self.box_label(frame, values, base)
                self.last_exit, self.pending = index, []
                self.iterations += self.exit_iterations
                emit(ev.NativeLeave(self.loop_id, index, self.exit_iterations,
                                    time.perf_counter() - t0))
                return True
            # boxed inside the block: a KeyboardInterrupt raised as it ends (a signal seen
            # at this exit) finds the state saved
            guard = self.exits[index]
            self.box(frame, guard.snapshot.resume, guard.snapshot, values, base)
        self.guards[index].failures += 1
        self.iterations += self.exit_iterations
        emit(ev.NativeLeave(self.loop_id, index, self.exit_iterations, time.perf_counter() - t0))
        emit(ev.GuardFailed(self.loop_id, index, guard.snapshot.line, self.guards[index].failures))
        self.last_exit = index
        if self.raising is not None:   # a residual call raised: at its line, after its frames
            exc, self.raising = self.raising, None
            frames, self.pending = self.pending, []
            raise with_frames(exc, frames)
        return True

    def box_label(self, frame: Frame, values: list, base: int) -> None:
        """Write the loop's label values (the state at its header) back into the frame."""
        cur: dict[Any, int] = {}
        seqs = {spec.loc: lists.obj_at(v) for spec, v in zip(self.recorded.inputs, values)
                if spec.part == "sptr"}      # before any write (see lists.materialise)
        carried: dict[Any, list] = {}
        for spec, v in zip(self.recorded.inputs, values):
            if spec.loc.where == "iter":
                self.exit_iterations = v
            elif spec.part == "sidx":
                _read(frame, spec.loc, base).__setstate__(v)
            elif spec.part == "sptr":
                if lists.iterated(_read(frame, spec.loc, base)) is None:
                    _write(frame, spec.loc, seqs[spec.loc], base)
            elif spec.loc.where == "vfield" and spec.loc.key[0] in self.recorded.carried:
                carried.setdefault(spec.loc.key[0], []).append((spec.loc.key[1], spec.py(v)))
            elif spec.part == "aidx":
                _read(frame, spec.loc, base).__setstate__(v)
            elif spec.part in ("abase", "alen", "stop", "vstep"):
                continue
            elif spec.loc.where == "vfield":
                continue   # a read-only instance from entry: unchanged
            elif spec.part == "cur":
                cur[spec.loc] = v
            elif not spec.part:
                _write(frame, spec.loc, spec.py(v), base)
        for spec in self.recorded.inputs:
            if spec.part == "cur":
                it = _read(frame, spec.loc, base)
                _, (rng,), _ = it.__reduce__()
                it.__setstate__((cur[spec.loc] - rng.start) // rng.step)
        for loc, fields in carried.items():   # made by the last iteration: a new object
            if self.exit_iterations:
                cls = type(_read(frame, loc, base))
                if cls is tuple:
                    obj = tuple(v for _, v in fields)
                else:
                    obj = cls.__new__(cls)
                    OB.instance_dict(obj).update(fields)
                _write(frame, loc, obj, base)
        frame.pc = self.header_pc
        frame.line = self.header_line

    def box(self, frame: Frame, resume: Resume, snapshot, values: list, base: int = 0) -> None:
        """Write the guard's live values back into the interpreter frame."""
        simple = _simple_plan(snapshot, self.recorded.header_depth, self._input_locals)
        if simple is not None:
            self._box_simple(frame, simple, values, base)
            return
        by_name = {name: (x if const else values[x]) for name, const, x in _plan(snapshot)}
        self.exit_iterations = by_name.get(ITERATIONS, 0)
        # a local unbound at entry (dead at the header: the machine code got a made-up
        # value) that still holds that input in the first iteration stays unbound
        unchanged = _input_names(snapshot, self._input_locals) \
            if self._dummied and not self.exit_iterations else {}
        stack_objs = list(frame.stack)
        memo: dict[int, Any] = {}
        objs = _entry_objects(frame, base, [resume] + list(resume.inlined), resume.virtuals)
        leaf = lambda h, w: _leaf(h, w, by_name, objs)  # noqa: E731
        # instances carried around the loop: in its first iteration, the objects from entry
        # (always, for a read-only instance from entry)
        first = {s.origin: _read(frame, s.origin, base) for s in resume.virtuals.values()
                 if s.kind == "entry" or (s.kind == "carried" and self.exit_iterations == 0)}

        def virtual(vid: int) -> Any:
            return OB.materialise(vid, resume.virtuals, leaf, memo,
                                  lambda spec: first.get(spec.origin))
        # arrays are never rebuilt: read each from where it was at entry, before any write
        arrays = {what[2]: _array_at(frame, what[2], base)
                  for r in [resume] + list(resume.inlined) for _, how, what in r.entries
                  if how in ("array", "aiter")}
        seqs = lists.materialise([e for r in [resume] + list(resume.inlined) for e in r.entries],
                                 by_name)
        frame.stack = frame.stack[:base] + [None] * resume.stack_depth
        for loc, how, what in resume.entries:
            if how in ("seq", "siter", "append"):
                own = (how == "siter" and loc.where == "stack"
                       and loc.key < self.recorded.header_depth)
                _write(frame, loc, lists.rebuild(how, what, by_name, seqs,
                                                 stack_objs[base + loc.key] if own else None), base)
                continue
            if how == "array":
                if what[2] != loc:
                    _write(frame, loc, arrays[what[2]], base)
                continue
            if how == "aiter":
                name, _, origin = what
                if loc.where == "stack" and loc.key < self.recorded.header_depth:
                    it = stack_objs[base + loc.key]      # the loop's own iterator, in place
                else:
                    it = iter(arrays[origin])
                it.__setstate__(by_name[name])
                _write(frame, loc, it, base)
                continue
            if loc.where == "objattr":   # an attribute of an object from entry
                if how == "virtual":
                    val = virtual(what)
                elif how in ("obj", "eobj"):
                    val = leaf(how, what)
                else:
                    val = resume.pytypes[what](by_name[what])
                OB.write_attr(objs[loc.key[0]], loc.key[1], val)
                continue
            if how == "obj":
                val = what
            elif how == "callres":
                val = self._call_result(what)
            elif how == "eobj":
                val = objs[what]
            elif how == "virtual":
                val = virtual(what)
            elif how == "callresult":
                val = _call_result(what, by_name)
            elif how == "range":
                name, step, variable = what
                if loc.key < self.recorded.header_depth:  # the loop's own iterator
                    it = stack_objs[base + loc.key]
                    _, (rng,), _ = it.__reduce__()
                    it.__setstate__((by_name[name] - rng.start) // rng.step)
                else:  # an iterator the trace kept virtual: only its position matters
                    it = iter(range(by_name[name], by_name[name + ".stop"],
                                    by_name[name + ".step"] if variable else step))
                val = it
            else:
                if loc.where == "fast" and unchanged.get(what) == loc.key and \
                        loc.key in self._dummied:
                    continue
                val = resume.pytypes[what](by_name[what])
            _write(frame, loc, val, base)
        frame.pc, frame.line = resume.pc, resume.line
        self.pending_posts = []
        self.pending = (self._inlined_frames(frame, resume, by_name, arrays, seqs, virtual, leaf)
                        if resume.inlined else [])
        if resume.after_call is not None:
            self.call_exit = by_name[CALL_EXIT]
            _leave_inner(frame, resume.after_call, self.call_exit)
        elif resume.inlined and resume.inlined[-1].after_call is not None:
            # the loop of an inlined function ran: its frame goes on from the exit it took
            self.call_exit = by_name[CALL_EXIT]
            pending, posts = self.pending, self.pending_posts
            try:
                _leave_inner(pending[-1], resume.inlined[-1].after_call, self.call_exit)
            except BaseException as e:     # raised in the inner loop's own inlined calls
                self.pending, self.pending_posts = [], []
                raise with_frames(e, pending) from None
            self.pending, self.pending_posts = pending, posts

    def _box_simple(self, frame: Frame, simple: tuple, values: list, base: int) -> None:
        """``box`` for a snapshot of numbers, ranges and constants (``_simple_plan``)."""
        (pc, line, depth, iters), writes = simple
        self.exit_iterations = iters[1] if iters[0] else values[iters[1]]
        stack = frame.stack
        new_stack = stack[:base] + [None] * depth
        fast, glob = frame.fast, frame.globals
        dummied = self._dummied if not self.exit_iterations else ()
        for how, where, key, conv, const, x, unchanged in writes:
            if unchanged and key in dummied:
                continue    # unbound at entry, dead, still the made-up input: stays unbound
            v = x if const else values[x]
            if how == 0:                       # a number (or a constant object)
                v = v if conv is None else conv(v)
            elif how == 1:                     # the loop's own range iterator, moved
                it = stack[base + key]
                _, (rng,), _ = it.__reduce__()
                it.__setstate__((v - rng.start) // rng.step)
                v = it
            else:                              # a range the trace kept virtual
                v = iter(range(v, values[conv[0]], values[conv[1]] if conv[1] >= 0 else conv[2]))
            if where == 0:
                fast[key] = v
            elif where == 1:
                new_stack[base + key] = v
            else:
                glob[key] = v
        frame.stack = new_stack
        frame.pc, frame.line = pc, line
        self.pending_posts = []
        self.pending = []

    def _inlined_frames(self, frame: Frame, resume: Resume, by_name: dict[str, Any],
                        arrays: dict, seqs: dict, virtual, leaf) -> list:
        """The guard failed inside inlined calls: rebuild their frames (outermost first)."""
        frames = []
        for r in resume.inlined:
            f = Frame(r.code, frame.globals)
            f.stack = [None] * r.stack_depth
            post = None
            if r.post is not None:
                kind, sym, operands = r.post
                vals = [virtual(w) if h == "virtual" else leaf(h, w) for h, w in operands]
                post = (kind, vals[0]) if kind == "init" else (kind, sym, *vals)
            self.pending_posts.append(post)
            for loc, how, what in r.entries:
                if how == "virtual":
                    val = virtual(what)
                elif how == "eobj":
                    val = leaf(how, what)
                elif how == "obj":
                    val = what
                elif how in ("seq", "siter", "append"):
                    val = lists.rebuild(how, what, by_name, seqs)
                elif how == "callres":
                    val = self._call_result(what)
                elif how == "callresult":
                    val = _call_result(what, by_name)
                elif how == "array":
                    val = arrays[what[2]]
                elif how == "aiter":
                    val = iter(arrays[what[2]])
                    val.__setstate__(by_name[what[0]])
                elif how == "range":
                    name, step, variable = what
                    val = iter(range(by_name[name], by_name[name + ".stop"],
                                     by_name[name + ".step"] if variable else step))
                else:
                    val = r.pytypes[what](by_name[what])
                _write(f, loc, val)
            f.pc, f.line = r.pc, r.line
            frames.append(f)
        return frames

    def _call_result(self, descr) -> Any:
        """The object a residual call returned, kept by its site (an exception is raised
        once the frames are rebuilt)."""
        status, obj = descr.kept
        descr.kept = (residual.NONE, None)      # the site keeps no object alive
        if status == residual.RAISED:
            self.raising = obj
            return None
        return obj

    def finish_inlined(self, frame: Frame) -> None:
        """Run the rebuilt inlined calls to their return in the interpreter; each result goes
        to its caller, the last to the loop's frame."""
        frames, self.pending = self.pending, []
        posts = self.pending_posts
        for i in range(len(frames) - 1, -1, -1):
            try:
                value = self.interp.run(frames[i])[1]
            except BaseException as e:
                raise with_frames(e, frames[:i + 1]) from None
            try:
                push, value = OB.complete(posts[i] if i < len(posts) else None, value)
            except BaseException as e:
                raise with_frames(e, frames[:i]) from None
            if push:
                (frames[i - 1] if i else frame).stack.append(value)


_MISSING = OB.MISSING
_OBJECT_CHECKS = ("clsattr", "type", "shape", "same", "distinct", "distinct_loc", "objattr")


def _leaf(how: str, what: Any, by_name: dict[str, Any], objs: dict) -> Any:
    """A field of a virtual (or a kept operand) from a snapshot's values."""
    if how == "num":
        name, py = what
        return py(by_name[name])
    if how == "eobj":
        return objs[what]
    return what


def _entry_objects(frame: Frame, base: int, resumes: list, virtuals: dict) -> dict:
    """The objects from entry a snapshot names (ObjKey -> object), read from the frame before
    anything is written back."""
    keys = [w for r in resumes for _, h, w in r.entries if h == "eobj"]
    keys += [loc.key[0] for r in resumes for loc, _, _ in r.entries if loc.where == "objattr"]
    keys += [w for s in virtuals.values() for _, h, w in s.items if h == "eobj"]
    keys += [w for r in resumes if r.post is not None for h, w in r.post[2] if h == "eobj"]
    read = lambda loc: _read(frame, loc, base)  # noqa: E731
    return {k: OB.resolve(k, read) for k in keys}


def _leave_inner(frame: Frame, inner: "CompiledLoop", exit: int) -> None:
    """The frame is at an inner loop's header, which ``call_loop`` has run to its exit
    `exit`: take that exit as if the inner loop had been entered from here (its values
    are in its call frame), so nothing of it runs twice."""
    call = inner.call_descr()
    base = len(frame.stack) - inner.recorded.header_depth
    inner._dummied = []          # (what a caller made up is its own business: _unbound_again)
    if exit == EXIT_INTERRUPT:
        inner.box_label(frame, [from_slot(call.frame[1 + k], kind)
                                for k, kind in enumerate(inner.executor.input_kinds)], base)
        return
    guard = inner.exits[exit]
    values = [from_slot(call.frame[1 + j], v.kind)
              for j, v in enumerate(guard.snapshot.fail_args())]
    inner.box(frame, guard.snapshot.resume, guard.snapshot, values, base)
    inner.guards[exit].failures += 1
    inner.iterations += inner.exit_iterations
    if inner.pending:
        inner.finish_inlined(frame)


def _plan(snapshot) -> list:
    """Where each of a snapshot's values is: ``(name, True, constant)`` or ``(name, False,
    index into the exit's values)`` (worked out once per snapshot)."""
    plan = snapshot.__dict__.get("_plan")
    if plan is None:
        index = {id(v): i for i, v in enumerate(snapshot.fail_args())}
        plan = snapshot.__dict__["_plan"] = [
            (name, True, v.value) if isinstance(v, Const) else (name, False, index[id(v)])
            for name, v in snapshot.values]
    return plan


_WHERE = {"fast": 0, "stack": 1, "global": 2}
_RANGE_ITER = type(iter(range(0)))
_GENERIC: Any = object()
_UNBOX_OPS = {"": 1, "cur": 2, "stop": 3, "abase": 4, "alen": 5}


def _unbox_plan(recorded) -> list | None:
    """For a loop whose inputs are numbers, range iterators (fixed step) and arrays at
    locals, globals or the stack: ``(op, where, key, type | step | typecode)`` per input,
    worked out once (``CompiledLoop._unbox_simple``); None for any other loop."""
    plan = recorded.__dict__.get("_unbox", False)
    if plan is not False:
        return plan
    plan = []
    for spec in recorded.inputs:
        if spec.loc.where == "iter":
            plan.append((0, 0, 0, None))
            continue
        w, op = _WHERE.get(spec.loc.where), _UNBOX_OPS.get(spec.part)
        if w is None or op is None or spec.vstep:
            plan = None
            break
        arg = spec.py if op == 1 else spec.step if op <= 3 else spec.typecode
        plan.append((op, w, spec.loc.key, arg))
    recorded.__dict__["_unbox"] = plan
    return plan


def _input_names(snapshot, input_locals: dict) -> dict:
    """A snapshot's value names whose value is the loop's input for a local, with that
    local (per snapshot, once); `input_locals`: id(input) -> local index."""
    got = snapshot.__dict__.get("_input_names")
    if got is None:
        got = snapshot.__dict__["_input_names"] = {
            n: input_locals[id(v)] for n, v in snapshot.values if id(v) in input_locals}
    return got


def _simple_plan(snapshot, header_depth: int, input_locals: dict) -> tuple | None:
    """For a snapshot that holds only numbers, ranges and constant objects (no virtuals,
    objects from entry, arrays moved, sequences, inlined frames or inner-loop exits), the
    writes ``box`` does, worked out once: ``((pc, line, stack depth, #iter), writes)``
    with each write ``(how, where, key, conversion, constant?, value or index)``; None
    for any other snapshot."""
    cached = snapshot.__dict__.get("_simple", False)
    if cached is not False:
        return cached
    resume = snapshot.resume
    plan = None
    if not (resume.inlined or resume.virtuals or resume.after_call is not None):
        where = {name: (const, x) for name, const, x in _plan(snapshot)}
        same = _input_names(snapshot, input_locals)
        writes = []
        for loc, how, what in resume.entries:
            w = _WHERE.get(loc.where)
            if w is None:
                break
            if how == "ir":
                conv = resume.pytypes[what]
                writes.append((0, w, loc.key, None if conv is float or conv is int else conv,
                               *where[what], w == 0 and same.get(what) == loc.key))
            elif how == "obj":
                writes.append((0, w, loc.key, None, True, what, False))
            elif how == "range" and loc.where == "stack":
                name, step, variable = what
                const, x = where[name]
                if const:
                    break
                if loc.key < header_depth:          # the loop's own iterator
                    writes.append((1, w, loc.key, None, False, x, False))
                    continue
                stop, vstep = where[name + ".stop"], where.get(name + ".step", (True, None))
                if stop[0] or (variable and vstep[0]):
                    break
                writes.append((2, w, loc.key, (stop[1], vstep[1] if variable else -1, step),
                               False, x, False))
            elif how == "array" and what[2] == loc:
                continue                            # where it was at entry: nothing to write
            else:
                break
        else:
            plan = ((resume.pc, resume.line, resume.stack_depth, where.get(ITERATIONS, (True, 0))),
                    writes)
    snapshot.__dict__["_simple"] = plan
    return plan


def _call_result(what: tuple, by_name: dict) -> Any:
    """The value a compiled function returned, from its tag and bits."""
    name, results = what
    how, kind = results[by_name[name + ".tag"]]
    if how == "obj":
        return kind
    return by_name[name + ".f"] if kind is float else kind(by_name[name + ".i"])


def _array_at(frame: Frame, loc: Loc, base: int) -> Any:
    """The array held at `loc` (directly, or by the array iterator there)."""
    v = _read(frame, loc, base)
    return v.__reduce__()[1][0] if type(v).__name__ == "arrayiterator" else v


def _read(frame: Frame, loc: Loc, base: int = 0) -> Any:
    if loc.where == "fast":
        return frame.fast[loc.key]
    if loc.where == "global":
        return frame.globals.get(loc.key, _MISSING)
    if loc.where == "free":
        return frame.frees.get(loc.key, _MISSING)
    if loc.where == "modattr":
        module, name = loc.key
        return getattr(module, name, _MISSING)
    read = lambda l: _read(frame, l, base)  # noqa: E731
    if loc.where == "objattr":
        key, name = loc.key
        return OB.read_attr(OB.resolve(key, read), name)
    if loc.where == "clsattr":
        return OB.lookup(*loc.key)
    if loc.where == "type":
        return type(OB.resolve(loc.key, read))
    if loc.where == "same":
        where, key = loc.key
        return _read(frame, where, base) is OB.resolve(key, read)
    if loc.where == "distinct":
        k1, k2 = loc.key
        return OB.resolve(k1, read) is not OB.resolve(k2, read)
    if loc.where == "distinct_loc":
        where, key = loc.key
        return _read(frame, where, base) is not OB.resolve(key, read)
    if loc.where == "vfield":
        return OB.read_field(_read(frame, loc.key[0], base), loc.key[1])
    if loc.where == "shape":
        where, cls, names, types_ = loc.key
        return OB.shape_matches(_read(frame, where, base), (cls, names), types_)
    return frame.stack[base + loc.key]


def _write(frame: Frame, loc: Loc, value: Any, base: int = 0) -> None:
    if loc.where == "fast":
        frame.fast[loc.key] = value
    elif loc.where == "global":
        frame.globals[loc.key] = value
    elif loc.where == "stack":
        frame.stack[base + loc.key] = value
    elif loc.where == "objattr":
        key, name = loc.key
        OB.write_attr(OB.resolve(key, lambda l: _read(frame, l, base)), name, value)
