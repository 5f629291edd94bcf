"""The meta-interpreter: jitnb's interpreter runs one loop iteration for real and records IR.

Each bytecode has a ``record_<NAME>`` method.  It reads the shadow of its operands
(an IR value for unboxed numbers, a known Python object for everything else), lets
the interpreter's ``op_<NAME>`` do the concrete work, and emits the IR that
reproduces it, with a guard for every fact the trace specialises on.  Each guard
carries a snapshot of the state *before* its bytecode, so a failing guard makes the
interpreter redo that bytecode in plain Python (overflow -> big ints, division by
zero -> ZeroDivisionError at the user's line).
Anything outside what traces support raises ``Abort`` with a reason and line.
"""
from __future__ import annotations

import array as _array
import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

from ..interp.frame import UNBOUND, Frame
from ..interp.interpreter import Interpreter
from ..interp.tracebacks import with_frames
from ..ir import ops as I
from ..ir.trace import Const, Input, Op, Snapshot, Trace, Value, resolve
from ..lang import opcodes as O
from ..lang import liveness
from ..lang.compiler import LoopInfo
from . import lists
from . import capi
from . import residual as R
from .calls import MATH_CALLS, POW
from .lists import SeqIter, SeqRef
from . import objects as OB
from .objects import MISSING, BoundMethod, ObjKey, VObject

INT_MIN, INT_MAX = -(1 << 63), (1 << 63) - 1
ITERATIONS = "#iter"   # snapshot name of the loop's iteration counter (for the event stream)
EXACT_FLOAT_INT = 1 << 53


# bytecodes a function trace may run and then discard (CPython runs the call again):
# the operands they read from the stack; any other bytecode counts as an effect
_OPERANDS: dict[str, Any] = {
    "NOP": 0, "LOAD_CONST": 0, "LOAD_FAST": 0, "STORE_FAST": 0, "LOAD_GLOBAL": 0,
    "LOAD_DEREF": 0, "JUMP": 0, "POP_JUMP_IF_FALSE": 1, "POP_JUMP_IF_TRUE": 1,
    "JUMP_IF_FALSE_OR_POP": 1, "JUMP_IF_TRUE_OR_POP": 1, "LOOP_HEADER": 0, "POP_TOP": 0,
    "DUP_TOP": 0, "DUP_TOP_TWO": 0, "ROT_TWO": 0, "ROT_THREE": 0, "BUILD_TUPLE": 0,
    "BINARY_OP": 2, "INPLACE_OP": 2, "COMPARE_OP": 2, "BINARY_SUBSCR": 2, "UNARY_OP": 1,
    "LOAD_ATTR": 1, "GET_ITER": 1, "FOR_ITER": 1, "UNPACK_SEQUENCE": 1, "CALL": "call",
}
_PURE_CALLS = (len, range, int, float, abs, min, max)


class UserRaised(Exception):
    """The user's code raised while the recorder was running it: not a tracing problem."""

    def __init__(self, exc: BaseException):
        super().__init__(repr(exc))
        self.exc = exc


class Abort(Exception):
    def __init__(self, reason: str, line: int):
        super().__init__(f"{reason} at line {line}")
        self.reason, self.line = reason, line


# -- shadows: what the recorder knows about each live value ---------------------------------
@dataclass(frozen=True)
class Num:
    """An unboxed number: its IR value and its Python type (int, float or bool)."""
    v: Value
    py: type


@dataclass(frozen=True)
class Known:
    """A Python object the trace treats as a constant."""
    obj: Any


@dataclass(frozen=True)
class RangeIter:
    """A range iterator: the next value and the stop are IR values; the step is a constant,
    or (``vstep``) an IR value whose sign, ``step``, the trace has guarded."""
    cur: Value
    stop: Value
    step: int
    vstep: Value | None = None

    def step_value(self) -> Value:
        return self.vstep if self.vstep is not None else Const(self.step)


@dataclass(frozen=True)
class ArrayRef:
    """An ``array.array`` the trace reads and writes in place: its buffer address and length
    are IR values (trace inputs), its element type a constant.  ``origin`` is the location
    that held it when the loop was entered (the object itself is never rebuilt)."""
    base: Value
    length: Value
    typecode: str
    origin: "Loc"


ARRAY_TYPECODES = "bBhHiIlqfd"   # not the unsigned 64-bit ones: their values may not fit int64
_INT_RANGE = {c: ((-(1 << (8 * n - 1)), (1 << (8 * n - 1)) - 1) if c.islower() else (0, (1 << (8 * n)) - 1))
              for c, n in (("b", 1), ("B", 1), ("h", 2), ("H", 2), ("i", 4), ("I", 4), ("l", 8),
                           ("q", 8))}


@dataclass(frozen=True)
class ArrayIter:
    """An iterator over an array: the array and the index of the next element."""
    arr: ArrayRef
    idx: Value


@dataclass(frozen=True)
class VRange:
    """A range object that exists only in the trace (start/stop values, a step as in
    ``RangeIter``)."""
    start: Value
    stop: Value
    step: int
    vstep: Value | None = None


@dataclass(frozen=True)
class EntryResult:
    """What a compiled function returned, read from its frame: the kind's tag (in the
    callee's table ``results``) and the 64 bits as an int and as a float.  Only live at
    the guard on the tag, which resumes after the call."""
    tag: Value
    ival: Value
    fval: Value
    results: list


@dataclass(frozen=True)
class VTuple:
    """A tuple the trace holds as its items; ``origin``: read at loop entry from there
    (objects.py), like an instance's fields."""
    items: tuple
    origin: Any = field(default=None, compare=False)

    cls = tuple

    @property
    def fields(self) -> dict:
        return {str(i): x for i, x in enumerate(self.items)}

    @property
    def shape(self) -> tuple:
        return tuple, tuple(str(i) for i in range(len(self.items)))


@dataclass(frozen=True)
class CallResult:
    """The result of a residual call as a failing status guard sees it: an object kept
    by the call site (``descr.kept``), or the exception the call raised."""
    descr: Any


_IMMUTABLE = (int, float, bool, str, bytes, complex, type(None), type(...), range)


def immutable(v: Any) -> bool:
    """Values whose operations a trace may fold: nothing can change them."""
    if type(v) is tuple or type(v) is frozenset:
        return all(immutable(x) for x in v)
    return type(v) in _IMMUTABLE


def fits_int(v: Any) -> bool:
    return type(v) is int and INT_MIN <= v <= INT_MAX


# -- where live values are, and how to box/unbox them ---------------------------------------
@dataclass(frozen=True)
class Loc:
    """A location of the interpreter state: a fast local, a global, or a stack slot."""
    where: str       # "fast" | "global" | "stack"
    key: Any         # slot index, name, or stack position

    def name(self, unit) -> str:
        if self.where == "fast":
            return unit.localnames[self.key]
        if self.where == "global":
            return self.key
        if self.where == "iter":
            return ITERATIONS
        if self.where == "objattr":
            return f"{self.key[0].label}.{self.key[1]}"
        if self.where == "vfield":
            return f"{self.key[0].name(unit)}.{self.key[1]}"
        if self.where in ("clsattr", "modattr", "type", "free"):
            return str(self.key)
        return f"stack{self.key}"


@dataclass
class InputSpec:
    loc: Loc
    py: type                   # int | float | bool; for a range iterator: range
    part: str = ""             # "cur" | "stop" for range iterators, "abase" | "alen" for arrays
    step: int = 0
    typecode: str = ""         # for arrays
    vstep: bool = False        # a range iterator whose step is an input (part "vstep")


@dataclass
class Resume:
    """Everything the driver needs to rebuild the interpreter state at a guard."""
    pc: int
    line: int
    stack_depth: int
    entries: list[tuple[Loc, str, Any]]    # (location, "ir" | "obj" | "range", name/obj/(name, step))
    pytypes: dict[str, type]
    inlined: list["Resume"] = field(default_factory=list)  # frames of inlined calls, outermost first
    code: Any = None                       # for an inlined frame: its CodeUnit
    # the guard on a ``call_loop``'s exit: the inner loop has run, so a failure goes on from
    # the exit it took (its CompiledLoop; the exit number is the snapshot's CALL_EXIT value)
    after_call: Any = None
    virtuals: dict = field(default_factory=dict)   # id -> objects.VirtualSpec (outer frame only)
    post: Any = None      # inlined frame: how its return reaches the caller (objects.complete)


CALL_EXIT = "#callexit"
_OBJECT_LOCS = ("objattr", "type", "same", "distinct", "distinct_loc", "shape", "clsattr")


@dataclass
class _Caller:
    """A frame suspended at an inlined call: the recorder's state for it."""
    frame: Frame
    unit: Any
    fast: list
    stack: list
    post: Any = None       # objects.complete's `post` for the callee's return (concrete values)
    post_sh: tuple = ()    # the shadows of post's operands (a constructor's: its virtual)


@dataclass
class Recorded:
    trace: Trace
    inputs: list[InputSpec]
    checks: list[tuple[Loc, Any]]          # identity checks on entry (known objects)
    builtin_checks: list[tuple[str, Any]]  # names that must resolve to these builtins
    lines: list[int] = field(default_factory=list)
    header_depth: int = 0                  # stack entries the loop itself has at its header
    holds_gil: bool = False                # reads objects: runs with the GIL (lists.py)
    world: Any = None                      # residual.World of the loop's residual calls
    result: Any = None                     # function traces: ("num", type) or ("obj", object)
    carried: frozenset = frozenset()       # locations carrying a new instance around the loop
    entry_locs: list = field(default_factory=list)  # (location, object) of objects from entry


def _dedupe(checks: list) -> None:
    """Drop repeated entry checks (the same location and object), in place: a bridge's
    recorder shares its loop's list."""
    seen: set = set()
    keep = []
    for loc, obj in checks:
        if (loc, id(obj)) not in seen:
            seen.add((loc, id(obj)))
            keep.append((loc, obj))
    checks[:] = keep


def _range_fits(sh: Any, spec: InputSpec) -> bool:
    """Can the range iterator shadow `sh` feed the inputs `spec` describes?"""
    if not isinstance(sh, RangeIter):
        return False
    if spec.vstep:
        return sh.step == spec.step            # the signs (a constant step fits too)
    return sh.vstep is None and sh.step == spec.step


def _range_part(sh: "RangeIter", part: str) -> Value:
    return sh.cur if part == "cur" else sh.stop if part == "stop" else sh.step_value()


def position(items: list, v: Any) -> int:
    """Index of `v` in `items` by identity (IR values compare by identity)."""
    for i, x in enumerate(items):
        if x is v:
            return i
    raise KeyError(v)


from .record_objects import ObjectRecording  # noqa: E402 (needs the shadows above)


class Recorder(ObjectRecording):
    """Records one iteration of `loop`, starting with `frame` at the loop header."""

    def __init__(self, frame: Frame, loop: LoopInfo, interp: Interpreter, trace_limit: int,
                 bridge_from: Snapshot | None = None, target: "Recorded | None" = None,
                 inner_loop=None, inline_unit=None, inline_depth: int = 0,
                 inlined_frames: list | None = None, residual_call_ops: int = 0,
                 variable_step: bool = False, call_exit: int = -1,
                 inlined_posts: list | None = None, entry_call=None):
        self.frame, self.loop, self.interp, self.limit = frame, loop, interp, trace_limit
        self.inner_loop = inner_loop   # loop index -> its CompiledLoop (or None)
        self.inline_unit = inline_unit  # Python function -> its CodeUnit, if it can be inlined
        self.inline_depth = inline_depth
        self.residual_call_ops = residual_call_ops
        self.variable_step = variable_step    # the loop's own range step is an input
        self.call_exit = call_exit            # a bridge after call_loop: the exit it took
        self.entry_call = entry_call   # (function, argument types, recorder) ->
                                       # (EntryCall, the callee's result table) or None
        self.callers: list[_Caller] = []
        self.bridge = bridge_from is not None
        self.function = loop.kind == "function"   # from the function's start to its return
        self.effects = False    # has the recording run anything that others could see?
        self.wait_for_loops = False   # function traces: abort at a loop not compiled yet
        self.unit = frame.unit
        self.inputs: list[Input] = []
        self.specs: list[InputSpec] = []
        self.checks: list[tuple[Loc, Any]] = []
        self.builtin_checks: list[tuple[str, Any]] = []
        self.ops: list[Op] = []
        self.fast: list[Any] = []
        self.globals: dict[str, Any] = {}
        self.stack: list[Any] = []
        self.lines: list[int] = []
        self.line = loop.line
        self.holds_gil = False       # set by the first read of an object's memory
        self.plain_calls: list[Op] = []   # call_loops of inner loops that run without the GIL
        # locals of the loop's frame whose value the trace does not know and has not touched
        # (index -> their shadow): a loop's locals unbound where recording began, those a
        # bridge's snapshot does not hold; snapshots leave them as they are in the frame,
        # and note where they would have written them (values, entries, pytypes, local)
        self.untouched: dict[int, Any] = {}
        self.unbound_refs: list[tuple[list, list, dict, int]] = []
        self.residuals: list[tuple[Op, Any, dict]] = []   # (call_py, descr, globals then)
        self.first_call = -1               # index in ops of the first residual call
        self.held_seqs: list[tuple[Any, Value]] = []   # (descr, list address) live at a call
        self.world = target.world if target is not None else None
        # objects that exist at loop entry: id -> (key, attribute shadows); see objects.py
        self.attrs: dict[int, tuple[ObjKey, dict[str, Any]]] = {}
        self.located: dict[int, ObjKey] = {}
        self.entry_locs: list[tuple[Loc, Any]] = []   # locations that hold objects from entry
        self.read_only: list[tuple[Loc, Any]] = []    # instances whose fields are loop inputs
        self.loop_frame, self.loop_unit = frame, frame.unit
        self.class_checked: set[int] = set()
        self.entry_objects: dict[Loc, type] = {}  # read-only instances in locals (no identity)
        if self.bridge:
            assert target is not None
            self.target = target
            self.checks, self.builtin_checks = target.checks, target.builtin_checks
            self.entry_locs = target.entry_locs
            self._start_bridge(bridge_from, inlined_frames or [], inlined_posts or [])
        else:
            self.target = None
            self._start()

    # -- entry ---------------------------------------------------------------------------
    def _new_input(self, loc: Loc, value: Any, part: str = "", step: int = 0,
                   typecode: str = "", vstep: bool = False) -> Value:
        py = type(value)
        kind = "f" if py is float else "i"
        inp = Input(kind, len(self.inputs))
        self.inputs.append(inp)
        self.specs.append(InputSpec(loc, py if not part else (range if part in ("cur", "stop", "vstep")
                                                              else type(value)), part, step,
                                    typecode, vstep=vstep))
        return inp

    def _shadow_value(self, loc: Loc, value: Any) -> Any:
        if self.bridge and (fits_int(value) or type(value) in (float, bool)):
            if loc.where == "objattr" and loc.key[0].root.where == "fast":
                self.loop.attr_hints.add((loc.key[0].root, loc.key[1]))
                raise Abort(f"{loc.name(self.loop_unit)} is not held by the loop's trace "
                            "(loop traced again)", self.line)
            raise Abort(f"{loc.name(self.loop_unit)} is not live in the loop's trace", self.line)
        if fits_int(value) or type(value) in (float, bool):
            return Num(self._new_input(loc, value), type(value))
        carried = self.loop.carried.get(loc, ()) if not self.bridge else None
        if carried and not OB.shape_matches(value, *carried):
            del self.loop.carried[loc]   # another class or layout now: learn it again
            carried = ()
        fields = OB.numeric_fields(value)
        # tuples: one that exists at entry is read by address (lists.py), unless the loop
        # rebinds its location to a tuple it builds (then its items are carried, objects.py)
        if carried == () and loc.where in ("fast", "global") and fields \
                and type(value) is not tuple \
                and id(value) not in self.located and all(
                    fits_int(v) or type(v) in (float, bool) for v in fields.values()):
            # instance (or tuple) of numbers in a local: read-only in the trace unless it says otherwise
            carried = ((type(value), tuple(fields)), tuple(type(v) for v in fields.values()))
            self.entry_objects[loc] = type(value)
        if carried and OB.shape_matches(value, *carried) and \
                all(fits_int(v) or type(v) is not int for v in fields.values()):
            # made by each iteration for the next: its fields are loop inputs (objects.py)
            (cls, names), _ = carried
            self.checks.append((Loc("shape", (loc, cls, names, carried[1])), True))
            inputs = [Num(self._new_input(Loc("vfield", (loc, n)), fields[n]), type(fields[n]))
                      for n in names]
            if cls is tuple:
                return VTuple(tuple(inputs), origin=loc)
            # its fields are copies: it must not be an object the trace reads as an object
            self.read_only.append((loc, value))
            for key in self.located.values():
                self.checks.append((Loc("distinct_loc", (loc, key)), True))
            return VObject(cls, dict(zip(names, inputs)), origin=loc)
        if type(value) is _array.array and value.typecode in ARRAY_TYPECODES and not self.bridge:
            base = self._new_input(loc, value, "abase", typecode=value.typecode)
            length = self._new_input(loc, value, "alen", typecode=value.typecode)
            return ArrayRef(base, length, value.typecode, loc)
        if lists.is_seq(value) and not self.bridge:
            return SeqRef(self._new_input(loc, value, "sptr"), type(value))
        if OB.is_instance(value) and OB.not_plain(type(value)) is None \
                and loc.where in ("fast", "global", "objattr"):
            # by class and aliasing, not identity: each call may bring its own objects
            self._locate(value, loc)
            self.entry_locs.append((loc, value))
            return Known(value)
        self.checks.append((loc, value))
        self._locate(value, loc)
        return Known(value)

    def _start(self) -> None:
        f = self.frame
        # iterations since entering the machine code: one add per iteration, reported at exits
        self.iters = self._new_input(Loc("iter", 0), 0)
        for i, v in enumerate(f.fast):
            if v is UNBOUND:   # a function's other locals start unbound; a loop's: see _close
                self.fast.append(Known(UNBOUND))
                if not self.function:
                    self.untouched[i] = self.fast[i]
                continue
            self.fast.append(self._shadow_value(Loc("fast", i), v))
        # stack locations are relative to what lies below this loop (enclosing loops' iterators)
        own = 1 if self.loop.kind == "for" else 0
        self.base = len(f.stack) - own
        for i, v in enumerate(f.stack[self.base:]):
            loc = Loc("stack", i)
            if type(v).__name__ == "range_iterator":
                rng, idx = v.__reduce__()[1][0], v.__reduce__()[2]
                cur = rng.start + idx * rng.step
                if not (fits_int(cur) and fits_int(rng.stop)):
                    raise Abort("range beyond 64-bit integers", self.line)
                if self.variable_step and i == 0 and own:   # the loop's own iterator
                    sign = 1 if rng.step > 0 else -1
                    c = self._new_input(loc, cur, "cur", sign, vstep=True)
                    s = self._new_input(loc, rng.stop, "stop", sign, vstep=True)
                    v = self._new_input(loc, rng.step, "vstep", sign, vstep=True)
                    self.stack.append(RangeIter(c, s, sign, v))
                else:
                    c = self._new_input(loc, cur, "cur", rng.step)
                    s = self._new_input(loc, rng.stop, "stop", rng.step)
                    self.stack.append(RangeIter(c, s, rng.step))
            elif type(v).__name__ == "arrayiterator":
                _, (arr,), idx = v.__reduce__()
                if arr.typecode not in ARRAY_TYPECODES:
                    raise Abort(f"for loop over array({arr.typecode!r}): NYI", self.loop.line)
                base = self._new_input(loc, arr, "abase", typecode=arr.typecode)
                length = self._new_input(loc, arr, "alen", typecode=arr.typecode)
                i = self._new_input(loc, idx, "aidx", typecode=arr.typecode)
                self.stack.append(ArrayIter(ArrayRef(base, length, arr.typecode, loc), i))
            elif lists.iterated(v) is not None:
                self.stack.append(lists.iterator_input(self, loc, v))
            else:
                raise Abort(f"for loop over {type(v).__name__}: NYI", self.loop.line)
        for root, name in sorted(self.loop.attr_hints, key=repr):   # what bridges needed
            sh = self.fast[root.key]
            if isinstance(sh, Known) and id(sh.obj) in self.located and \
                    OB.read_attr(sh.obj, name) is not MISSING:
                self.load_attr(sh, sh.obj, name)

    def _start_bridge(self, snap: Snapshot, frames: list, posts: list) -> None:
        """Shadows from a guard's snapshot: each of its fail_args becomes a bridge input.
        A guard inside inlined calls starts the bridge in the innermost of `frames` (the
        rebuilt frames of those calls), with the outer ones as its callers."""
        resume: Resume = snap.resume
        fail_args = snap.fail_args()
        inputs = [Input(v.kind, i) for i, v in enumerate(fail_args)]
        self.inputs = inputs
        by_name: dict[str, Value] = {}
        for name, v in snap.values:
            by_name[name] = v if isinstance(v, Const) else inputs[position(fail_args, v)]
        placeholder = Known(UNBOUND)   # a local the snapshot leaves alone: untouched
        self.fast = [placeholder] * len(self.frame.fast)
        self.stack = []
        inner = resume.after_call
        if inner is not None:   # the frame is past the inner loop already: at its exit
            exit_snap = inner.exits[self.call_exit].snapshot
            if exit_snap.resume.inlined:
                raise Abort("bridge after an inner loop left from inside an inlined call: NYI",
                            snap.line)
            self.base = (len(self.frame.stack) - exit_snap.resume.stack_depth
                         - resume.stack_depth + inner.recorded.header_depth)
        else:
            self.base = len(self.frame.stack) - resume.stack_depth
        self._virt_specs, self._virt_memo = resume.virtuals, {}
        self._install(resume, by_name, 0)
        self.iters = by_name[ITERATIONS]
        if inner is not None:
            # this bridge is for the exit the inner loop took this time: the same guard
            # (with the same snapshot) for it, then its values from the inner loop's frame
            again = Snapshot([(name, by_name[name]) for name, _ in snap.values], snap.line, resume)
            self.emit(I.GUARD_VALUE, by_name[CALL_EXIT], Const(self.call_exit)).snapshot = again
            self._after_inner(exit_snap, inner.call_descr(),
                              len(self.stack) - inner.recorded.header_depth)
        self.untouched = {i: sh for i, sh in enumerate(self.fast) if sh is placeholder}
        if any(r.after_call is not None for r in resume.inlined):
            raise Abort("bridge after a loop of an inlined function: NYI", snap.line)
        if len(frames) != len(resume.inlined):
            raise Abort("bridge from inside an inlined call without its frames", snap.line)
        if any(r.post is not None for r in resume.inlined) and len(posts) != len(frames):
            raise Abort("bridge from inside an inlined constructor or operator: NYI", snap.line)
        for i, (f, r) in enumerate(zip(frames, resume.inlined)):
            caller = _Caller(self.frame, self.unit, self.fast, self.stack)
            if r.post is not None:   # how this call returns: the run's objects, and shadows
                caller.post = posts[i]
                caller.post_sh = tuple(self._post_shadow(h, w, by_name) for h, w in r.post[2])
            self.callers.append(caller)
            self.frame, self.unit = f, r.code
            self.fast = [Known(UNBOUND)] * len(r.code.localnames)
            self.stack = []
            self._install(r, by_name, 0)

    def _install(self, resume: Resume, by_name: dict[str, Value], base: int) -> None:
        """Make the shadows those of a snapshot (values by snapshot name); the stack above
        `base` is replaced by the snapshot's."""
        self.stack = self.stack[:base] + [None] * resume.stack_depth
        for loc, how, what in resume.entries:
            if how == "callres":
                raise Abort(f"bridge from the result of a call to {what.name}: NYI", self.line)
            if how == "callresult":
                raise Abort("bridge after a call returned another kind of value: NYI", resume.line)
            if how == "obj":
                sh: Any = Known(what)
                self._locate(what, loc)
            elif how == "eobj":
                sh = Known(self._current(what))
            elif how == "virtual":
                sh = self._virtual_shadow(what, by_name)
            elif how == "range":
                name, step, variable = what
                sh = RangeIter(by_name[name], by_name[name + ".stop"], step,
                               by_name[name + ".step"] if variable else None)
            elif how in ("array", "aiter"):
                name, typecode, origin = what
                sh = ArrayRef(by_name[name + ".base"], by_name[name + ".len"], typecode, origin)
                if how == "aiter":
                    sh = ArrayIter(sh, by_name[name])
            elif how in ("seq", "siter", "append"):
                sh = lists.shadow_from(how, what, by_name)
            else:
                sh = Num(by_name[what], resume.pytypes[what])
            if loc.where == "fast":
                self.fast[loc.key] = sh
            elif loc.where == "global":
                self.globals[loc.key] = sh
            elif loc.where == "objattr":
                key, name = loc.key
                self.attrs.setdefault(id(self._current(key)), (key, {}))[1][name] = sh
            else:
                self.stack[base + loc.key] = sh

    # -- emission ------------------------------------------------------------------------
    def emit(self, num: int, *args: Value, descr: Any = None) -> Op:
        op = Op(num, list(args), descr=descr, line=self.line)
        self.ops.append(op)
        if len(self.ops) > self.limit:
            raise Abort("trace too long (trace_limit)", self.line)
        return op

    def guard(self, num: int, *args: Value) -> None:
        op = self.emit(num, *args)
        if self.snapshot is None:
            self.snapshot = self._make_snapshot(*self._pending)
        op.snapshot = self.snapshot

    def take_snapshot(self) -> None:
        """Remember the state before the current bytecode; the guards it emits share one
        snapshot of it, built on first use."""
        self._pending = (self.frame.pc, self.line, list(self.fast), dict(self.globals),
                         list(self.stack), tuple(self.callers), self.unit)
        self.snapshot = None

    def _make_snapshot(self, pc: int, line: int, fast: list, globals_: dict,
                       stack: list, callers: tuple = (), unit: Any = None) -> Snapshot:
        values: list[tuple[str, Value]] = [(ITERATIONS, self.iters)]
        # virtual objects and tuples: one spec each per snapshot, shared by all its frames
        self._snap_virtuals: dict[int, OB.VirtualSpec] = {}
        self._snap_vids: dict[int, int] = {}
        if not callers:
            resume = self._frame_resume(values, "", self.unit, pc, line, fast, stack, globals_, True)
            resume.virtuals = self._snap_virtuals
            return Snapshot(values, line, resume)
        # inside inlined calls: the loop's frame resumes after its call, with the result
        # still to come; each inlined frame resumes where it stands
        outer = callers[0]
        resume = self._frame_resume(values, "", outer.unit, outer.frame.pc, outer.frame.line,
                                    outer.fast, outer.stack, globals_, True)
        chain = list(callers[1:]) + [_Caller(None, unit, fast, stack)]
        for depth, c in enumerate(chain, 1):
            cpc = pc if c.frame is None else c.frame.pc
            cline = line if c.frame is None else c.frame.line
            r = self._frame_resume(values, f"{depth}:", c.unit, cpc, cline, c.fast, c.stack, {})
            r.code = c.unit
            made_by = callers[depth - 1]   # the caller that made this call, and how
            if made_by.post is not None:
                r.post = (made_by.post[0], made_by.post[1] if len(made_by.post) > 2 else None,
                          [self._encode(sh, f"{depth}:post{k}", values)
                           for k, sh in enumerate(made_by.post_sh)])
            resume.inlined.append(r)
        resume.virtuals = self._snap_virtuals
        return Snapshot(values, line, resume)

    def _frame_resume(self, values: list, prefix: str, unit: Any, pc: int, line: int,
                      fast: list, stack: list, globals_: dict, outer: bool = False) -> Resume:
        entries: list[tuple[Loc, str, Any]] = []
        pytypes: dict[str, type] = {}

        def add(loc: Loc, sh: Any) -> None:
            name = prefix + loc.name(unit)
            if outer and loc.where == "fast" and self.untouched.get(loc.key) is sh:
                self.unbound_refs.append((values, entries, pytypes, loc.key))
                return
            if isinstance(sh, Num):
                values.append((name, sh.v))
                pytypes[name] = sh.py
                entries.append((loc, "ir", name))
            elif isinstance(sh, RangeIter):
                values.append((name, sh.cur))
                values.append((name + ".stop", sh.stop))
                if sh.vstep is not None:
                    values.append((name + ".step", sh.vstep))
                entries.append((loc, "range", (name, sh.step, sh.vstep is not None)))
            elif isinstance(sh, Known):
                key = self.located.get(id(sh.obj))
                entries.append((loc, "obj", sh.obj) if key is None else (loc, "eobj", key))
            elif isinstance(sh, CallResult):
                entries.append((loc, "callres", sh.descr))
            elif isinstance(sh, ArrayRef):
                values.append((name + ".base", sh.base))
                values.append((name + ".len", sh.length))
                entries.append((loc, "array", (name, sh.typecode, sh.origin)))
            elif isinstance(sh, EntryResult):
                values.extend([(name + ".tag", sh.tag), (name + ".i", sh.ival), (name + ".f", sh.fval)])
                entries.append((loc, "callresult", (name, sh.results)))
            elif isinstance(sh, ArrayIter):
                values.append((name, sh.idx))
                values.append((name + ".base", sh.arr.base))
                values.append((name + ".len", sh.arr.length))
                entries.append((loc, "aiter", (name, sh.arr.typecode, sh.arr.origin)))
            elif isinstance(sh, (VObject, VTuple, BoundMethod)):
                entries.append((loc, "virtual", self._encode(sh, name, values)[1]))
            elif not lists.resume_entry(name, sh, values, entries, loc):
                raise Abort(f"{type(sh).__name__} live across a guard: NYI", self.line)
        for i, sh in enumerate(fast):
            add(Loc("fast", i), sh)
        for name, sh in globals_.items():
            add(Loc("global", name), sh)
        for i, sh in enumerate(stack):
            add(Loc("stack", i), sh)
        if outer:   # attributes of objects that exist at loop entry, as the trace holds them
            for key, slots in self.attrs.values():
                for name, sh in slots.items():
                    add(Loc("objattr", (key, name)), sh)
        return Resume(pc, line, len(stack), entries, pytypes)

    # -- driving -------------------------------------------------------------------------
    @property
    def discardable(self) -> bool:
        """A function trace that aborts before any visible effect: CPython may run the
        call again from its start instead of jitnb's interpreter finishing it."""
        return self.function and not self.bridge and not self.effects

    def record(self) -> Recorded:
        self.ops.insert(0, Op(I.LABEL, list(self.inputs)))  # a bridge may have begun already
        try:
            return self._record()
        except UserRaised:
            raise
        except Exception:   # an abort, or a limitation of the recorder: finish the calls for real
            if not self.discardable:
                self._finish_inlined_calls()
            raise

    def _finish_inlined_calls(self) -> None:
        """After an abort inside inlined calls, run them to their end for real, so the
        loop's frame is left consistent for the interpreter."""
        while self.callers:
            try:
                value = self.interp.run(self.frame)[1]
            except BaseException as e:
                raise UserRaised(with_frames(e, [c.frame for c in self.callers[1:]]
                                             + [self.frame])) from None
            caller = self.callers.pop()
            self.frame, self.unit = caller.frame, caller.unit
            try:
                push, value = OB.complete(caller.post, value)
            except BaseException as e:
                raise UserRaised(with_frames(e, [c.frame for c in self.callers[1:]]
                                             + [self.frame])) from None
            if push:
                self.frame.stack.append(value)

    def _record(self) -> Recorded:
        first = True
        while True:
            f = self.frame
            ins = self.unit.instrs[f.pc]
            self.line = f.line = ins.line
            if not self.callers and ins.line not in self.lines:
                self.lines.append(ins.line)
            if ins.op == O.LOOP_HEADER and self.callers:   # a loop of an inlined function
                self.take_snapshot()
                self.call_inner(ins.arg)
                continue
            if ins.op == O.LOOP_HEADER:
                if ins.arg == self.loop.index and (self.bridge or not first):
                    return self._close()
                if ins.arg != self.loop.index:
                    self.take_snapshot()
                    if self.function and not self.callers:
                        try:
                            call = self._inner_args(ins.arg)
                        except Abort:
                            inner = self.inner_loop(ins.arg)
                            if self.wait_for_loops and (inner is None or inner.step_mismatch):
                                raise   # it is compiled (for any step) first
                            return self._hand_over()
                        self._run_inner(*call)
                        continue
                    self.call_inner(ins.arg)
                    continue
            first = False
            if ins.op == O.RETURN_VALUE and self.function and not self.callers:
                return self._finish()
            if f.pc == self.loop.exit_pc and not self.callers:
                raise Abort("loop left during tracing", ins.line)
            self.take_snapshot()
            handler = getattr(self, "record_" + O.OPS[ins.op].name)
            handler(ins.arg)

    def _close(self) -> Recorded:
        # a residual call costs about what CPython spends on ~20 bytecodes (boxing, a callback
        # that takes the GIL, checks after it): a loop trace with too few operations per call
        # is slower than CPython (bridges keep theirs: the alternative is the interpreter)
        calls = sum(1 for op in self.ops if op.num == I.CALL_PY)
        if calls and not self.bridge and len(self.ops) < self.residual_call_ops * calls:
            raise Abort(f"{calls} residual call(s) in {len(self.ops)} operations: a call out "
                        "of machine code costs more than CPython's whole iteration", self.loop.line)
        if calls and self._relies_on_objects():
            # the callee may run any code: change an attribute the trace holds in a register,
            # rebind a method it inlined, or change an instance it carries by shape
            raise Abort("residual call in a trace that holds objects' attributes or relies on "
                        "their classes: NYI", self.loop.line)
        self.take_snapshot()
        self._rebound_entry_objects()
        self._no_virtual_at_back_edge()
        self._bind_untouched()
        args: list[Value] = []
        specs = self.target.inputs if self.bridge else self.specs
        for spec in specs:
            if spec.loc.where == "iter":
                args.append(self.emit(I.INT_ADD, self.iters, Const(1)))
                continue
            if spec.loc.where == "vfield":
                args.append(self._carried_field(spec))
                continue
            sh = self._get(spec.loc)
            if spec.part in lists.SEQ_PARTS:
                args.append(lists.jump_arg(self, spec, sh))
                continue
            if spec.part in ("abase", "alen", "aidx"):
                it = sh if isinstance(sh, ArrayIter) else None
                arr = it.arr if it is not None else sh
                if not (isinstance(arr, ArrayRef) and arr.origin == spec.loc):
                    raise Abort(f"array {spec.loc.name(self.unit)} rebound in the loop", self.loop.line)
                args.append({"abase": arr.base, "alen": arr.length}.get(spec.part)
                            if spec.part != "aidx" else it.idx)
                continue
            if spec.part:
                if not _range_fits(sh, spec) or (spec.vstep and sh.vstep is None):
                    raise Abort("loop iterator changes", self.loop.line)
                args.append(_range_part(sh, spec.part))
            elif not isinstance(sh, Num) or sh.py is not spec.py:
                what = sh.py.__name__ if isinstance(sh, Num) else type(getattr(sh, "obj", sh)).__name__
                raise Abort(f"type of {spec.loc.name(self.unit)} changes from {spec.py.__name__} to {what}",
                            self.loop.line)
            else:
                args.append(sh.v)
        for loc, obj in self.checks:
            if loc.where in ("free", "modattr", "clsattr", "type", "shape", "same", "distinct",
                             "distinct_loc"):
                continue  # free variables are read-only in loops; attributes are rechecked
            if loc.where == "global" and loc.key not in self.globals:
                continue  # a bridge that never touched it (a residual call re-checks it)
            if loc.where == "objattr":
                sh = self._entry_shadow(loc)
                if obj is MISSING or sh is None:
                    continue   # attributes are never added by a trace
                if not (isinstance(sh, Known) and sh.obj is obj):
                    raise Abort(f"{loc.name(self.unit)} changes from a constant object",
                                self.loop.line)
                continue
            sh = self._get(loc)
            if not (isinstance(sh, Known) and sh.obj is obj):
                raise Abort(f"{loc.name(self.unit)} changes from a constant object", self.loop.line)
        for loc, obj in self.entry_locs:
            sh = self._entry_shadow(loc)
            if sh is not None and not (isinstance(sh, Known) and
                                       self.located.get(id(sh.obj)) is self._key_at_entry(obj)):
                raise Abort(f"{loc.name(self.unit)} changes to another object", self.loop.line)
        self._release_gil_around_plain_calls()
        if self.holds_gil and not self.bridge:
            self._gil_exit(args)
        self._finish_residuals(args)
        self.ops.append(Op(I.JUMP, args))
        _dedupe(self.checks)   # each entry reads every check: once is enough
        if not self.bridge:
            self._backfill_globals()
            self._backfill_attrs()
            self._backfill_carried()
        trace = Trace(self.inputs, self.ops)
        return Recorded(trace, self.specs, self.checks, self.builtin_checks, self.lines,
                        1 if self.loop.kind == "for" else 0,
                        self.holds_gil if not self.bridge else self.target.holds_gil,
                        self.world,
                        carried=frozenset(l for l, v in self.loop.carried.items()
                                          if v and l not in self.entry_objects),
                        entry_locs=self.entry_locs)

    def _bind_untouched(self) -> None:
        """A local unbound where recording began (the loop's first iteration) that the
        iteration binds to a number: from the next iteration on it holds that number, so it
        is a loop input (entries need it bound: CPython or the interpreter runs a first
        iteration that finds it unbound), and the snapshots taken before the iteration bound
        it write the input back.  One the iteration leaves alone needs nothing: snapshots
        leave it as the frame has it.  (A bridge cannot add inputs: binding one aborts.)"""
        for i, start in self.untouched.items():
            sh = self.fast[i]
            loc = Loc("fast", i)
            if sh is start:
                continue      # neither read nor written: whatever it holds, it keeps
            if self.bridge:
                raise Abort(f"{loc.name(self.unit)} bound in a bridge but not held by the "
                            "loop's trace: NYI", self.line)
            if not isinstance(sh, Num):
                raise Abort(f"{loc.name(self.unit)} is unbound at the loop's start and "
                            f"holds a {type(sh).__name__} at its end: NYI", self.loop.line)
            if type(self.frame.fast[i]) is not sh.py:
                raise Abort(f"{loc.name(self.unit)} is unbound at the loop's start", self.loop.line)
            inp = self._new_input(loc, self.frame.fast[i])
            name = loc.name(self.unit)
            for values, entries, pytypes, key in self.unbound_refs:
                if key == i:
                    values.append((name, inp))
                    entries.append((loc, "ir", name))
                    pytypes[name] = sh.py

    def _relies_on_objects(self) -> bool:
        """Does the trace (or, for a bridge, its loop) hold attribute slots or fields of
        instances as values, or assume anything of a user class or instance?"""
        specs = self.target.inputs if self.bridge else self.specs
        if self.attrs or self.entry_objects or self.read_only or \
                any(s.loc.where in ("objattr", "vfield") for s in specs):
            return True
        # an object only passed around (say the callable itself) is checked by identity, and
        # a call re-checks those; what it holds or its class provides is not re-checked
        return any(loc.where in ("clsattr", "shape", "objattr") for loc, _ in self.checks)

    def _gil_exit(self, args: list[Value]) -> None:
        """A trace that holds the GIL leaves every 2**k iterations at its header (a guard
        on the iteration count whose snapshot ``yields``), so other threads get to run."""
        count = next(a for a, spec in zip(args, self.specs) if spec.loc.where == "iter")
        self.guard(I.GUARD_TRUE, self.emit(I.INT_AND, count, Const(lists.yield_mask(len(self.ops)))))
        self.ops[-1].snapshot.yields = True

    def _finish(self) -> Recorded:
        """The function returns: ``finish(tag, value)`` (the driver numbers the tag); the
        value stays on the frame's stack for the caller."""
        sh = self.stack[-1]
        if isinstance(sh, Num):
            args, result = [sh.v], ("num", sh.py)
        elif isinstance(sh, Known):
            args, result = [], ("obj", sh.obj)
        else:
            raise Abort(f"returns a {type(sh).__name__}: NYI", self.line)
        self.ops.append(Op(I.FINISH, [Const(0)] + args))
        return self._function_recorded(result)

    def call_inner(self, index: int) -> None:
        """An inner loop that has machine code: call it (``call_loop``), guard on the exit it
        takes, and go on from that exit's snapshot with the values it left in its frame."""
        self._run_inner(*self._inner_args(index))

    def _inner_args(self, index: int):
        """The compiled inner loop and its arguments (Abort if it cannot be called)."""
        inner = None
        if self.inner_loop is not None:
            inner = self.inner_loop(index, self.unit) if self.callers else self.inner_loop(index)
        if inner is None:
            raise Abort(f"inner loop at line {self.line} not compiled yet", self.line)
        rec = inner.recorded
        if self.callers and (any(sp.loc.where in ("objattr", "vfield") for sp in rec.inputs) or
                             any(loc.where in _OBJECT_LOCS for loc, _ in rec.checks)):
            raise Abort("loop over objects in an inlined function: NYI", self.line)
        base = len(self.stack) - rec.header_depth
        if base < 0:
            raise Abort("inner loop stack", self.line)
        args: list[Value] = []
        dummies: list = []      # (location, argument index) of dead unbound locals
        for spec in rec.inputs:
            if spec.loc.where == "iter":
                args.append(Const(0))
                continue
            if spec.loc.where == "vfield":   # the inner loop's instance: pass its fields
                sh = self._shadow_at(spec.loc.key[0], base)
                if self._is_entry_object(sh):   # a copy of its fields there, an object here
                    f = self.load_attr(sh, sh.obj, spec.loc.key[1])
                else:
                    f = sh.fields.get(spec.loc.key[1]) if isinstance(sh, (VObject, VTuple)) else None
                if not (isinstance(f, Num) and f.py is spec.py):
                    raise Abort(f"inner loop input {spec.loc.name(self.unit)} differs", self.line)
                args.append(f.v)
                continue
            if spec.loc.where == "objattr":   # an attribute of an object: ours, as we hold it
                sh = self._outer_attr(spec.loc, base)
            else:
                sh = self._shadow_at(spec.loc, base)
            if spec.part in ("abase", "alen", "aidx"):
                it = sh if isinstance(sh, ArrayIter) else None
                arr = it.arr if it is not None else sh
                if not (isinstance(arr, ArrayRef) and arr.typecode == spec.typecode) or \
                        (spec.part == "aidx" and it is None):
                    raise Abort(f"inner loop input {spec.loc.name(self.unit)} is not the array it "
                                "was compiled for", self.line)
                args.append(it.idx if spec.part == "aidx" else
                            arr.base if spec.part == "abase" else arr.length)
                continue
            if spec.part in lists.SEQ_PARTS:
                args.append(lists.jump_arg(self, spec, sh))
                continue
            if spec.part:
                if not _range_fits(sh, spec):
                    if isinstance(sh, RangeIter) and sh.step * spec.step > 0:
                        inner.step_mismatch = True   # it is traced again for any step
                        raise Abort(f"inner loop at line {self.line} not compiled yet for a "
                                    "variable range step", self.line)
                    raise Abort("inner loop iterator", self.line)
                args.append(_range_part(sh, spec.part))
            elif isinstance(sh, Num) and sh.py is spec.py:
                args.append(sh.v)
            elif isinstance(sh, Known) and sh.obj is UNBOUND and spec.loc.where == "fast" and \
                    spec.loc.key in liveness.dead_at(self.unit, inner.header_pc):
                args.append(Const(spec.py()))   # unbound but dead there: never read
                dummies.append((spec.loc, len(args) - 1))
            else:
                raise Abort(f"inner loop input {spec.loc.name(self.unit)} has another type", self.line)
        pre: dict[Loc, Any] = {}
        for loc, obj in rec.checks:
            if loc.where == "clsattr":     # the classes it relies on: checked at our entry
                if (loc, obj) not in self.checks:
                    self.checks.append((loc, obj))
                continue
            if loc.where == "shape":       # its instances are virtuals of ours, of that shape
                where, cls, names, types_ = loc.key
                sh = self._shadow_at(where, base)
                if self._is_entry_object(sh) and type(sh.obj) is cls and \
                        where.where in ("fast", "global") and \
                        set(self.slots_of(sh.obj)[1]) <= set(names):
                    # its fields are our inputs, passed by value; its layout (no other
                    # attribute, say one shadowing a class attribute) is checked at our entry
                    if (loc, obj) not in self.checks:
                        self.checks.append((loc, obj))
                    pre[where] = sh
                    continue
                if not (isinstance(sh, (VObject, VTuple)) and sh.cls is cls
                        and tuple(sh.fields) == names
                        and all(isinstance(f, Num) and f.py is t
                                for f, t in zip(sh.fields.values(), types_))):
                    raise Abort(f"inner loop instance {where.name(self.unit)} differs", self.line)
                pre[where] = sh
                continue
            if loc.where in ("objattr", "type", "same", "distinct", "distinct_loc"):
                self._outer_object_check(loc, obj, base)
                continue
            if loc.where in ("free", "modattr"):    # checked at our entry too
                if (loc, obj) not in self.checks:
                    self.checks.append((loc, obj))
                continue
            sh = self._shadow_at(loc, base)
            if not (isinstance(sh, Known) and sh.obj is obj):
                raise Abort(f"inner loop constant {loc.name(self.unit)} differs", self.line)
        return inner, rec, base, args, pre, dummies

    def _hand_over(self) -> Recorded:
        """A function trace stops at a loop it cannot call: its last guard always fails
        (the iteration counter of a function trace is 0), so jitnb's interpreter goes on
        from the loop header and runs the loop (as machine code, once it can)."""
        self.guard(I.GUARD_TRUE, self.emit(I.INT_NE, self.iters, Const(0)))
        self.ops.append(Op(I.FINISH, []))        # never reached
        return self._function_recorded(None)

    def _function_recorded(self, result: Any) -> Recorded:
        if self._relies_on_objects():
            # a function trace's finish writes nothing back, and nothing re-checks classes
            # between calls of it: attribute slots, carried fields and class checks are NYI
            raise Abort("instances of user classes in a function trace: NYI", self.line)
        self._release_gil_around_plain_calls()
        # the function's inputs stay alive for the whole call (its arguments, its globals)
        self._finish_residuals(list(self.inputs))
        if not self.bridge:
            self._backfill_globals()
        return Recorded(Trace(self.inputs, self.ops), self.specs, self.checks,
                        self.builtin_checks, self.lines, 0,
                        self.holds_gil if not self.bridge else self.target.holds_gil,
                        self.world, result)

    def _release_gil_around_plain_calls(self) -> None:
        """A trace that holds the GIL calls the inner loops that run without it with the
        GIL released (``PyEval_SaveThread`` before, ``PyEval_RestoreThread`` after): an
        inner loop polls the interrupt word, which the watcher thread sets holding the GIL,
        and other threads run meanwhile, as they would during CPython's inner loop."""
        if not (self.plain_calls and (self.target.holds_gil if self.bridge else self.holds_gil)):
            return
        plain = {id(op) for op in self.plain_calls}
        # another thread may then change lists, freeing items: no pointer loaded from an
        # object before such a call may be used after it (the frame holds no reference)
        loaded: set[int] = set()
        for k, op in enumerate(self.ops):
            if op.num == I.GETARRAYITEM_GC_I:
                loaded.add(id(op))
            elif id(op) in plain and loaded and any(
                    id(resolve(v)) in loaded for later in self.ops[k + 1:]
                    for v in list(later.args) + ([x for _, x in later.snapshot.values]
                                                 if later.snapshot is not None else [])):
                raise Abort("a pointer read from an object is held across an inner loop that "
                            "runs without the GIL: NYI", self.line)
        ops: list[Op] = []
        for op in self.ops:
            if id(op) not in plain:
                ops.append(op)
                continue
            state = Op(I.CALL_I, [], descr=capi.GIL_RELEASE, line=op.line)
            ops += [state, op, Op(I.CALL_I, [state], descr=capi.GIL_ACQUIRE, line=op.line)]
        self.ops = ops

    def _run_inner(self, inner, rec, base, args, pre: dict, dummies: list = ()) -> None:
        """(`pre`: the shadows of the instances passed to it by shape; `dummies`: the dead
        unbound locals it was given a value for.)"""
        if self.bridge and inner.recorded is self.target:
            raise Abort("the loop calls itself (a recursive call inlined): NYI", self.line)
        self.builtin_checks.extend(c for c in rec.builtin_checks if c not in self.builtin_checks)
        if any(op.num == I.CALL_PY for t in [inner.trace] + [b[2] for b in inner.bridges]
               for op in t.ops):
            raise Abort("inner loop with residual calls: NYI", self.line)
        if rec.holds_gil:
            if self.bridge and not self.target.holds_gil:
                self.nyi("inner loop that holds the GIL in a bridge of a loop that does not")
            self.holds_gil = True
        descr = inner.call_descr()
        self.effects = True
        try:
            entered = inner.run(self.frame)  # the real work, done concretely
        except BaseException as e:
            raise UserRaised(e) from None
        if not entered:
            raise Abort("inner loop could not be entered", self.line)
        exit = inner.last_exit
        r = self.emit(I.CALL_LOOP, *args, descr=descr)
        if not rec.holds_gil:
            self.plain_calls.append(r)
        # its own snapshot (state before the call, plus the exit taken), never shared: a
        # failure must not run the inner loop again, it continues from the inner loop's exit
        call_snap = self._make_snapshot(*self._pending)
        call_snap.values.append((CALL_EXIT, r))
        if call_snap.resume.inlined:    # the loop of an inlined function: its frame's
            inlined = list(call_snap.resume.inlined)
            inlined[-1] = dataclasses.replace(inlined[-1], after_call=inner)
            call_snap.resume = dataclasses.replace(call_snap.resume, inlined=inlined)
        else:
            call_snap.resume = dataclasses.replace(call_snap.resume, after_call=inner)
        self.emit(I.GUARD_VALUE, r, Const(exit)).snapshot = call_snap
        snap = inner.exits[exit].snapshot
        if snap.resume.inlined:
            try:
                inner.finish_inlined(self.frame)
            except BaseException as e:
                raise UserRaised(e) from None
            raise Abort("inner loop left from inside an inlined call: NYI", self.line)
        iters = self._after_inner(snap, descr, base, pre, inner.exit_iterations)
        self._unbound_again(inner, snap, dummies, call_snap, iters)

    def _unbound_again(self, inner, snap: Snapshot, dummies: list, call_snap: Snapshot,
                       iters: Value) -> None:
        """A dead local passed to the inner loop as a made-up value, still holding it at
        the exit (the exit came in the inner loop's first iteration, before its code
        assigned it): it is unbound again, as in CPython.  The exit's iteration count
        is guarded either way (a failure goes on from the exit: ``call_snap``)."""
        own = {sp.loc: v for v, sp in zip(inner.trace.inputs, inner.recorded.inputs)
               if not sp.part}
        for loc, _ in dummies:
            name = loc.name(self.unit)
            v = next((v for n, v in snap.values if n == name), None)
            if v is None or v is not own.get(loc):
                continue       # the inner loop's code assigned it before that exit
            if inner.exit_iterations == 0:
                self.fast[loc.key] = Known(UNBOUND)
            cond = self.emit(I.INT_EQ if inner.exit_iterations == 0 else I.INT_NE, iters, Const(0))
            self.emit(I.GUARD_TRUE, cond).snapshot = call_snap

    def _after_inner(self, snap: Snapshot, descr: Any, base: int, pre: dict | None = None,
                     concrete: int = 0) -> Value:
        """Shadows for the state an inner loop left at its exit `snap`: its values are read
        from the frame of its ``call_loop`` (`descr`).  `pre`: the shadows of the instances
        passed to it by shape (none in a bridge: an instance it carries aborts), `concrete`
        the iterations it ran this time.  Returns the exit's iteration count."""
        fail_args = snap.fail_args()
        by_name: dict[str, Value] = {}
        for name, v in snap.values:
            if isinstance(v, Const):
                by_name[name] = v
            else:
                j = position(fail_args, v)
                num = I.GETARRAYITEM_RAW_F if v.kind == "f" else I.GETARRAYITEM_RAW_I
                by_name[name] = self.emit(num, Const(descr.frame_address), Const(1 + j),
                                          descr="d" if v.kind == "f" else "q")
        self._virt_specs, self._virt_memo = snap.resume.virtuals, {}
        self._inner_exit = (pre or {}, by_name[ITERATIONS], concrete)
        try:
            self._install(snap.resume, by_name, base)
        finally:
            self._inner_exit = None
        return by_name[ITERATIONS]

    def _shadow_at(self, loc: Loc, base: int) -> Any:
        if loc.where == "fast":
            return self.fast[loc.key]
        if loc.where == "stack":
            return self.stack[base + loc.key]
        if loc.where == "global":
            if loc.key not in self.globals:
                self.globals[loc.key] = self._global_shadow(loc.key, self.frame.globals.get(loc.key))
            return self.globals[loc.key]
        return Known(self.frame.frees.get(loc.key))

    def _backfill_globals(self) -> None:
        """Globals become inputs when first touched; snapshots taken before that point
        still hold them (unchanged, so equal to the input) and must write them back
        (an array global is kept as it is: only its base and length are recorded)."""
        for spec, inp in zip(self.specs, self.inputs):
            if spec.loc.where != "global":
                continue
            name = spec.loc.key
            key = {"abase": name + ".base", "alen": name + ".len"}.get(spec.part, name)
            # after a residual call the globals it re-read are in the namespace already
            for op in self.ops[:self.first_call if self.first_call >= 0 else len(self.ops)]:
                snap = op.snapshot
                if snap is None or any(n == key for n, _ in snap.values):
                    continue
                snap.values.append((key, inp))
                if spec.part == "alen":
                    continue
                if spec.part == "abase":
                    snap.resume.entries.append((spec.loc, "array", (name, spec.typecode, spec.loc)))
                elif spec.part == "sptr":
                    snap.resume.entries.append((spec.loc, "seq", (name, spec.py)))
                else:
                    snap.resume.entries.append((spec.loc, "ir", name))
                    snap.resume.pytypes[name] = spec.py

    def _get(self, loc: Loc) -> Any:
        if loc.where == "fast":
            return self.fast[loc.key]
        if loc.where == "global":
            return self.globals[loc.key]
        if loc.where == "objattr":
            sh = self._entry_shadow(loc)
            if sh is None:
                raise Abort(f"{loc.name(self.unit)} is not live here", self.line)
            return sh
        return self.stack[loc.key]

    def concrete(self, arg: Any) -> None:
        ins = self.unit.instrs[self.frame.pc]
        if not self.effects and not self._inert(ins.op, arg):
            self.effects = True
        self.frame.pc += 1
        try:
            self.interp.handlers[ins.op](self.frame, arg)
        except BaseException as e:
            if self.callers:
                e = with_frames(e, [c.frame for c in self.callers[1:]] + [self.frame])
            raise UserRaised(e) from None

    def _inert(self, op: int, arg: Any) -> bool:
        """Can running this bytecode on these operands have an effect beyond the frame?"""
        n = _OPERANDS.get(O.OPS[op].name)
        if n is None:
            return False
        if n == "call":
            fn = self.stack[-arg[0] - 1]
            return isinstance(fn, Known) and (any(fn.obj is f for f in _PURE_CALLS)
                                              or any(fn.obj is f for f in MATH_CALLS))
        return all(isinstance(sh, (Num, RangeIter, VRange, VTuple, ArrayRef, ArrayIter))
                   or (isinstance(sh, Known) and (immutable(sh.obj)
                                                  or type(sh.obj).__name__ == "module"))
                   for sh in self.stack[len(self.stack) - n:])

    def nyi(self, what: str) -> None:
        raise Abort(f"{what}: NYI", self.line)

    # -- helpers for numbers -------------------------------------------------------------
    def as_float(self, sh: Num) -> Value:
        if sh.py is float:
            return sh.v
        if isinstance(sh.v, Const):
            return Const(float(sh.v.value))
        self.exact_int_for_float(sh.v)
        return self.emit(I.CAST_INT_TO_FLOAT, sh.v)

    def exact_int_for_float(self, v: Value) -> None:
        """Guard |v| <= 2**53, where int -> float conversion and comparison are exact."""
        if isinstance(v, Const):
            if abs(v.value) > EXACT_FLOAT_INT:
                self.nyi("int beyond 2**53 mixed with float")
            return
        self.guard(I.GUARD_TRUE, self.emit(I.INT_LE, v, Const(EXACT_FLOAT_INT)))
        self.guard(I.GUARD_TRUE, self.emit(I.INT_GE, v, Const(-EXACT_FLOAT_INT)))

    def truth(self, sh: Any) -> Value | bool:
        if isinstance(sh, VObject) or (isinstance(sh, Known) and OB.is_instance(sh.obj)):
            cls = sh.cls if isinstance(sh, VObject) else type(sh.obj)
            if self.class_attr(cls, "__bool__") is not MISSING or \
                    self.class_attr(cls, "__len__") is not MISSING:
                self.nyi(f"truth of {cls.__name__} (__bool__ or __len__)")
            return True
        if isinstance(sh, VTuple):
            return bool(sh.items)
        if isinstance(sh, Known):
            if not immutable(sh.obj):
                self.nyi(f"truth of {type(sh.obj).__name__}")
            return bool(sh.obj)
        if isinstance(sh, SeqRef):
            return self.emit(I.INT_NE, lists.length(self, sh), Const(0))
        if not isinstance(sh, Num):
            self.nyi("truth of a virtual")
        if sh.py is bool:
            return sh.v
        if sh.py is float:
            return self.emit(I.FLOAT_NE, sh.v, Const(0.0))
        return self.emit(I.INT_NE, sh.v, Const(0))

    def guard_nonzero(self, v: Value, kind: str) -> None:
        if isinstance(v, Const):
            if v.value == 0:
                raise Abort("division by constant zero", self.line)
            return
        zero = Const(0.0) if kind == "f" else Const(0)
        self.guard(I.GUARD_TRUE, self.emit(I.FLOAT_NE if kind == "f" else I.INT_NE, v, zero))

    def push_result(self) -> None:
        """After a concrete op whose result is not modelled: only constants may pass."""
        self.nyi("operation on objects")

    # -- record_<NAME>: one per bytecode -------------------------------------------------
    def record_NOP(self, arg: Any) -> None:
        self.concrete(arg)

    def record_LOAD_CONST(self, arg: Any) -> None:
        self.concrete(arg)
        if fits_int(arg) or type(arg) is bool:
            self.stack.append(Num(Const(int(arg)), type(arg)))
        elif type(arg) is float:
            self.stack.append(Num(Const(arg), float))
        else:
            self.stack.append(Known(arg))

    def record_LOAD_FAST(self, arg: int) -> None:
        sh = self.fast[arg]
        if isinstance(sh, Known) and sh.obj is UNBOUND:
            self.nyi("read of an unbound local")
        self.concrete(arg)
        self.stack.append(self.fast[arg])

    def record_STORE_FAST(self, arg: int) -> None:
        self.concrete(arg)
        self.fast[arg] = self.stack.pop()

    def record_LOAD_GLOBAL(self, name: str) -> None:
        self.concrete(name)
        if name not in self.globals:
            g = self.frame.globals
            if name in g:
                self.globals[name] = self._global_shadow(name, g[name])
            else:
                obj = self.frame.builtins[name]
                self.builtin_checks.append((name, obj))
                self.stack.append(Known(obj))
                return
        self.stack.append(self.globals[name])

    def record_STORE_GLOBAL(self, name: str) -> None:
        if self.function:
            self.nyi(f"global {name!r} written in a function trace")
        sh = self.stack[-1]
        if name not in self.globals:
            g = self.frame.globals
            if name not in g:
                self.nyi(f"global {name!r} first bound inside the loop")
            self.globals[name] = self._global_shadow(name, g[name])
        self.concrete(name)
        self.stack.pop()
        self.globals[name] = sh

    def record_LOAD_DEREF(self, name: str) -> None:
        if self.callers:
            self.nyi("closure variable in an inlined function")
        self.concrete(name)
        v = self.frame.stack[-1]
        self.stack.append(Known(v))
        self.checks.append((Loc("free", name), v))  # free variables are read-only in loops

    def record_LOAD_ATTR(self, name: str) -> None:
        sh = lists.known_seq(self, -1)
        if isinstance(sh, SeqRef) and lists.attribute(self, name):
            return
        if self.is_object(sh, self.frame.stack[-1]):
            self.stack[-1] = self.load_attr(sh, self.frame.stack[-1], name)
            self.concrete(name)   # the user's AttributeError, if any, is raised here
            if isinstance(self.stack[-1], BoundMethod) and \
                    getattr(self.frame.stack[-1], "__func__", None) is not self.stack[-1].func:
                self.nyi(f"method {name!r} rebound")
            return
        if not (isinstance(sh, Known) and type(sh.obj).__name__ == "module"):
            self.nyi(f"attribute {name!r} of {type(self.frame.stack[-1]).__name__}")
        self.concrete(name)
        value = self.frame.stack[-1]
        self.checks.append((Loc("modattr", (sh.obj, name)), value))
        self._locate(value, Loc("modattr", (sh.obj, name)))
        self.stack[-1] = self._const_shadow(value)   # math.pi: a number the trace can use

    def record_STORE_ATTR(self, name: str) -> None:
        sh, value = self.stack[-1], self.stack[-2]
        obj = self.frame.stack[-1]
        if not self.is_object(sh, obj):
            self.nyi(f"attribute store on {type(obj).__name__}")
        if not isinstance(value, (Num, Known, VObject, VTuple)):
            self.nyi(f"storing {type(value).__name__} in an attribute")
        self.class_attr(type(obj), name)
        if isinstance(sh, VObject):
            if sh.origin in self.entry_objects:
                self.loop.carried[sh.origin] = None   # traced again, as an object with identity
                raise Abort(f"attribute store on {type(obj).__name__} {sh.origin.name(self.loop_unit)} "
                            f"(traced again)", self.line)
            if sh.origin is not None and self.bridge and not self.loop.carried.get(sh.origin):
                # the loop read it as a copy of its fields: the loop is traced again, as an
                # object with identity (the driver sets its code aside)
                self.loop.carried[sh.origin] = None
                raise Abort(f"attribute store on {type(obj).__name__} "
                            f"{sh.origin.name(self.loop_unit)} in a bridge (loop traced again)",
                            self.line)
            if sh.origin is not None:
                self.nyi(f"attribute store on {type(obj).__name__} carried around the loop")
            self.concrete(name)
            sh.fields[name] = value
            del self.stack[-2:]
            return
        if isinstance(value, (VObject, VTuple)):
            self.nyi(f"virtual stored in {type(obj).__name__}.{name} (it escapes the trace)")
        key, slots = self.slots_of(obj)
        if name not in slots:
            current = OB.read_attr(obj, name)
            if current is MISSING:
                self.nyi(f"attribute {name!r} added to a {type(obj).__name__} in the loop")
            slots[name] = self._shadow_value(Loc("objattr", (key, name)), current)
        self.concrete(name)
        slots[name] = value
        del self.stack[-2:]

    # -- inlining (the object model is in record_objects.py) ------------------------------
    def enter(self, code: Any, fn: Any, shadows: list, values: list, pop: int,
              post: tuple | None = None, post_sh: tuple = ()) -> None:
        """Inline `fn` called with positional `shadows`/`values`; the call consumes the top
        `pop` stack entries; `post` says what the caller gets (objects.complete)."""
        if len(self.callers) >= self.inline_depth:
            self.nyi(f"call to {fn.__name__} beyond the inlining depth")
        if fn.__globals__ is not self.frame.globals:
            self.nyi(f"call to {fn.__name__} from another namespace")
        if code.freenames:
            self.nyi(f"call to closure {fn.__name__}")
        if len(shadows) != len(code.params):
            self.nyi(f"call to {fn.__name__} with {len(shadows)} arguments")
        caller = _Caller(self.frame, self.unit, self.fast, self.stack[:len(self.stack) - pop],
                         post, post_sh)
        self.frame.stack[len(self.frame.stack) - pop:] = []
        self.frame.pc += 1
        fast = [UNBOUND] * len(code.localnames)
        shadow_fast: list[Any] = [Known(UNBOUND)] * len(code.localnames)
        for i, (sh, v) in enumerate(zip(shadows, values)):
            fast[i], shadow_fast[i] = v, sh
        self.callers.append(caller)
        self.frame = Frame(code, self.frame.globals, fast)
        self.unit, self.fast, self.stack = code, shadow_fast, []

    def element(self, arr: Any, key: Any) -> tuple[ArrayRef, Value]:
        """Checks for ``arr[key]`` on an array: an int index in range (negative indexes
        and IndexError are left to the interpreter)."""
        if not isinstance(arr, ArrayRef):
            self.nyi(f"subscript of {type(getattr(arr, 'obj', arr)).__name__}")
        if not (isinstance(key, Num) and key.py is int):
            self.nyi("array index that is not an int")
        i = key.v
        if not (isinstance(i, Const) and i.value >= 0):
            self.guard(I.GUARD_TRUE, self.emit(I.INT_GE, i, Const(0)))
        self.guard(I.GUARD_TRUE, self.emit(I.INT_LT, i, arr.length))
        return arr, i

    def record_BINARY_SUBSCR(self, arg: Any) -> None:
        key, arr = self.stack[-1], lists.known_seq(self, -2)
        if isinstance(arr, SeqRef):    # a list or tuple that exists at entry (lists.py)
            lists.subscript(self, arg)
            return
        if self.is_object(arr, self.frame.stack[-2]):
            cls = type(self.frame.stack[-2])
            fn = self.class_attr(cls, "__getitem__")
            code = self._jitnb_function(fn, f"{cls.__name__}.__getitem__")
            self.enter(code, fn, [arr, key], list(self.frame.stack[-2:]), 2)
            return
        if isinstance(arr, VTuple):    # a tuple built in the loop (objects.py)
            if not (isinstance(key, Num) and key.py is int and isinstance(key.v, Const)):
                self.nyi("tuple index that is not a constant")
            self.concrete(arg)   # IndexError is the user's
            self.stack[-2:] = [arr.items[key.v.value]]
            return
        arr, i = self.element(arr, key)
        self.concrete(arg)
        f = arr.typecode in "fd"
        v = self.emit(I.GETARRAYITEM_RAW_F if f else I.GETARRAYITEM_RAW_I, arr.base, i,
                      descr=arr.typecode)
        self.stack[-2:] = [Num(v, float if f else int)]

    def record_STORE_SUBSCR(self, arg: Any) -> None:
        key, arr, value = self.stack[-1], lists.known_seq(self, -2), self.stack[-3]
        if isinstance(arr, SeqRef):
            lists.store(self, arg)
            return
        if self.is_object(arr, self.frame.stack[-2]):
            cls = type(self.frame.stack[-2])
            fn = self.class_attr(cls, "__setitem__")
            code = self._jitnb_function(fn, f"{cls.__name__}.__setitem__")
            v, o, k = self.frame.stack[-3:]
            self.enter(code, fn, [arr, key, value], [o, k, v], 3, ("discard",))
            return
        arr, i = self.element(arr, key)
        if not isinstance(value, Num):
            self.nyi("storing an object into an array")
        if arr.typecode in "fd":
            v = self.as_float(value)
            op = I.SETARRAYITEM_RAW_F
        else:
            if value.py is float:
                self.nyi("storing a float into an int array")
            lo, hi = _INT_RANGE[arr.typecode]
            v = value.v
            if not (isinstance(v, Const) and lo <= v.value <= hi):  # else OverflowError in Python
                self.guard(I.GUARD_TRUE, self.emit(I.INT_GE, v, Const(lo)))
                self.guard(I.GUARD_TRUE, self.emit(I.INT_LE, v, Const(hi)))
            op = I.SETARRAYITEM_RAW_I
        self.concrete(arg)
        self.emit(op, arr.base, i, v, descr=arr.typecode)
        del self.stack[-3:]

    def record_BINARY_OP(self, arg: int) -> None:
        b, a = self.stack[-1], self.stack[-2]
        sym = O.BINOPS[arg][0]
        if sym in OB.BINARY_DUNDERS and self.operator_call(
                sym, f"__{OB.BINARY_DUNDERS[sym]}__", a, b, *self.frame.stack[-2:], "binop"):
            return
        self.concrete(arg)
        self.stack[-2:] = [self.binop(arg, a, b)]

    def record_INPLACE_OP(self, arg: int) -> None:
        b, a = self.stack[-1], self.stack[-2]
        sym = O.BINOPS[arg][0]
        name = OB.BINARY_DUNDERS.get(sym)
        if name and self.operator_call(sym + "=", f"__{name}__", a, b, *self.frame.stack[-2:],
                                       "binop", f"__i{name}__"):
            return
        self.concrete(arg)
        self.stack[-2:] = [self.binop(arg, a, b)]

    def binop(self, arg: int, a: Any, b: Any) -> Any:
        sym = O.BINOPS[arg][0]
        result = self.frame.stack[-1]
        if isinstance(a, Known) and isinstance(b, Known):
            if not (immutable(a.obj) and immutable(b.obj)):
                self.nyi(f"{sym} on {type(a.obj).__name__}")
            return Known(result)
        if not (isinstance(a, Num) and isinstance(b, Num)):
            self.nyi(f"{sym} on {type(result).__name__}")
        if a.py is float or b.py is float:
            return self.float_binop(sym, a, b)
        return self.int_binop(sym, a, b, result)

    def int_binop(self, sym: str, a: Num, b: Num, result: Any) -> Num:
        x, y = a.v, b.v
        ovf = {"+": I.INT_ADD_OVF, "-": I.INT_SUB_OVF, "*": I.INT_MUL_OVF}
        if sym in ovf:
            r = self.emit(ovf[sym], x, y)
            self.guard(I.GUARD_NO_OVERFLOW)
            return Num(r, int)
        if sym in ("&", "|", "^"):
            num = {"&": I.INT_AND, "|": I.INT_OR, "^": I.INT_XOR}[sym]
            return Num(self.emit(num, x, y), bool if (a.py is bool and b.py is bool) else int)
        if sym in ("//", "%"):
            self.guard_nonzero(y, "i")
            if not (isinstance(y, Const) and y.value != -1):
                self.guard(I.GUARD_TRUE, self.emit(I.INT_NE, y, Const(-1)))
            return Num(self.emit(I.INT_FLOORDIV if sym == "//" else I.INT_MOD, x, y), int)
        if sym == "/":
            self.guard_nonzero(y, "i")
            return Num(self.emit(I.FLOAT_TRUEDIV, self.as_float(a), self.as_float(b)), float)
        if sym == ">>":
            if not isinstance(y, Const):
                self.guard(I.GUARD_TRUE, self.emit(I.INT_GE, y, Const(0)))
            elif y.value < 0:
                self.nyi("negative shift")
            return Num(self.emit(I.INT_RSHIFT, x, y), int)
        if sym == "<<":
            if not isinstance(y, Const):
                self.guard(I.GUARD_TRUE, self.emit(I.INT_GE, y, Const(0)))
                self.guard(I.GUARD_TRUE, self.emit(I.INT_LT, y, Const(64)))
            elif not 0 <= y.value < 64:
                self.nyi("shift count out of range")
            r = self.emit(I.INT_LSHIFT, x, y)
            back = self.emit(I.INT_RSHIFT, r, y)
            self.guard(I.GUARD_TRUE, self.emit(I.INT_EQ, back, x))
            return Num(r, int)
        if sym == "**" and isinstance(y, Const) and 0 <= y.value <= 8:
            r: Value = Const(1)
            for _ in range(y.value):
                r = self.emit(I.INT_MUL_OVF, r, x)
                self.guard(I.GUARD_NO_OVERFLOW)
            return Num(r, int)
        self.nyi(f"int {sym}")
        raise AssertionError

    def float_binop(self, sym: str, a: Num, b: Num) -> Num:
        x, y = self.as_float(a), self.as_float(b)
        simple = {"+": I.FLOAT_ADD, "-": I.FLOAT_SUB, "*": I.FLOAT_MUL}
        if sym in simple:
            return Num(self.emit(simple[sym], x, y), float)
        if sym == "/":
            self.guard_nonzero(y, "f")
            return Num(self.emit(I.FLOAT_TRUEDIV, x, y), float)
        if sym == "**":
            # CPython calls the C library's pow(); where it would raise (or give a
            # complex), the result is not finite and the guard sends it back to Python
            r = self.emit(I.CALL_F, x, y, descr=POW)
            self.guard(I.GUARD_TRUE, self.emit(I.FLOAT_LT, self.emit(I.FLOAT_ABS, r), Const(math.inf)))
            return Num(r, float)
        self.nyi(f"float {sym}")
        raise AssertionError

    def record_UNARY_OP(self, arg: int) -> None:
        sh = self.stack[-1]
        sym = O.UNOPS[arg][0]
        self.concrete(arg)
        if isinstance(sh, Known):
            if not immutable(sh.obj):
                self.nyi(f"unary {sym} on {type(sh.obj).__name__}")
            self.stack[-1] = Known(self.frame.stack[-1])
            return
        if not isinstance(sh, Num):
            self.nyi(f"unary {sym}")
        if sym == "not":
            t = self.truth(sh)
            self.stack[-1] = Num(self.emit(I.INT_EQ, t, Const(0)), bool)
        elif sym == "+":
            self.stack[-1] = Num(sh.v, int if sh.py is bool else sh.py)
        elif sym == "-" and sh.py is not float and isinstance(sh.v, Const) and fits_int(-sh.v.value):
            self.stack[-1] = Num(Const(-sh.v.value), int)
        elif sh.py is float:
            if sym == "~":
                self.nyi("~ on float")
            self.stack[-1] = Num(self.emit(I.FLOAT_NEG, sh.v), float)
        elif sym == "-":
            r = self.emit(I.INT_SUB_OVF, Const(0), sh.v)
            self.guard(I.GUARD_NO_OVERFLOW)
            self.stack[-1] = Num(r, int)
        else:
            self.stack[-1] = Num(self.emit(I.INT_INVERT, sh.v), int)

    def record_COMPARE_OP(self, arg: int) -> None:
        b, a = self.stack[-1], self.stack[-2]
        sym = O.CMPOPS[arg][0]
        va, vb = self.frame.stack[-2:]
        if sym in OB.COMPARE_DUNDERS and self.is_object(a, va) \
                and OB.lookup(type(va), OB.COMPARE_DUNDERS[sym][0]) is not \
                getattr(object, OB.COMPARE_DUNDERS[sym][0]):
            self.operator_call(sym, OB.COMPARE_DUNDERS[sym][0], a, b, va, vb, "cmp")
            return
        if isinstance(a, (VObject, VTuple)) or isinstance(b, (VObject, VTuple)):
            fresh = [x for x in (a, b) if isinstance(x, (VObject, VTuple)) and x.origin is None]
            if sym not in ("is", "is not") or isinstance(a, Num) or isinstance(b, Num) \
                    or (not fresh and a is not b):
                self.nyi(f"comparison {sym} on objects from entry")
            self.concrete(arg)   # a virtual is only ever identical to itself
            self.stack[-2:] = [Num(Const(int((a is b) == (sym == "is"))), bool)]
            return
        self.concrete(arg)
        result = self.frame.stack[-1]
        if isinstance(a, Known) and isinstance(b, Known):
            # identities of known objects are fixed; other comparisons only of values
            if sym not in ("is", "is not") and not (immutable(a.obj) and immutable(b.obj)):
                self.nyi(f"comparison {sym} on {type(a.obj).__name__}")
            self.stack[-2:] = [Known(result)]
            return
        if sym in ("is", "is not") and (isinstance(a, Known) or isinstance(b, Known)):
            # a number is never identical to a known non-number object
            other = a if isinstance(a, Known) else b
            if type(other.obj) in (int, float, bool):
                self.nyi("identity test on numbers")
            self.stack[-2:] = [Known(result)]
            return
        if not (isinstance(a, Num) and isinstance(b, Num)) or sym in ("in", "not in", "is", "is not"):
            self.nyi(f"comparison {sym}")
        rel = {"<": "lt", "<=": "le", "==": "eq", "!=": "ne", ">": "gt", ">=": "ge"}[sym]
        if a.py is float or b.py is float:
            num = I.BY_NAME[f"float_{rel}"].num
            self.stack[-2:] = [Num(self.emit(num, self.as_float(a), self.as_float(b)), bool)]
        else:
            num = I.BY_NAME[f"int_{rel}"].num
            self.stack[-2:] = [Num(self.emit(num, a.v, b.v), bool)]

    def _branch(self, arg: int, jump_if: bool, pop_always: bool) -> None:
        sh = self.stack[-1]
        t = self.truth(sh)
        before = self.frame.pc
        self.concrete(arg)
        taken = self.frame.pc == arg and arg != before + 1
        went = jump_if if taken else not jump_if
        if not isinstance(t, bool):
            self.guard(I.GUARD_TRUE if went else I.GUARD_FALSE, t)
        if pop_always or not taken:
            self.stack.pop()

    def record_JUMP(self, arg: int) -> None:
        self.concrete(arg)

    def record_POP_JUMP_IF_FALSE(self, arg: int) -> None:
        self._branch(arg, False, True)

    def record_POP_JUMP_IF_TRUE(self, arg: int) -> None:
        self._branch(arg, True, True)

    def record_JUMP_IF_FALSE_OR_POP(self, arg: int) -> None:
        self._branch(arg, False, False)

    def record_JUMP_IF_TRUE_OR_POP(self, arg: int) -> None:
        self._branch(arg, True, False)

    def record_GET_ITER(self, arg: Any) -> None:
        sh = lists.known_seq(self, -1)
        if isinstance(sh, ArrayRef):
            self.concrete(arg)
            self.stack[-1] = ArrayIter(sh, Const(0))
            return
        if isinstance(sh, SeqRef):
            self.concrete(arg)
            self.stack[-1] = SeqIter(sh, Const(0))
            return
        if not isinstance(sh, VRange):
            self.nyi("inner iteration")
        self.concrete(arg)
        self.stack[-1] = RangeIter(sh.start, sh.stop, sh.step, sh.vstep)

    def record_FOR_ITER(self, arg: int) -> None:
        sh = self.stack[-1]
        if not isinstance(sh, (RangeIter, ArrayIter, SeqIter)):
            self.nyi("iteration over objects")
        own = not self.callers and self.frame.pc == self.loop.header_pc + 1
        self.concrete(arg)
        if isinstance(sh, SeqIter):
            lists.next_item(self, sh, own, arg)
            return
        if isinstance(sh, ArrayIter):
            self.array_next(sh, own, arg)
            return
        cmp = I.INT_LT if sh.step > 0 else I.INT_GT
        more = self.emit(cmp, sh.cur, sh.stop)
        if self.frame.pc == arg:  # exhausted during tracing
            if own:
                raise Abort("loop left during tracing", self.line)
            self.guard(I.GUARD_FALSE, more)  # an inner loop ends here
            self.stack.pop()
            return
        self.guard(I.GUARD_TRUE, more)
        nxt = self.emit(I.INT_ADD_OVF, sh.cur, sh.step_value())
        self.guard(I.GUARD_NO_OVERFLOW)
        self.stack[-1] = RangeIter(nxt, sh.stop, sh.step, sh.vstep)
        self.stack.append(Num(sh.cur, int))

    def array_next(self, sh: ArrayIter, own: bool, target: int) -> None:
        arr = sh.arr
        more = self.emit(I.INT_LT, sh.idx, arr.length)
        if self.frame.pc == target:  # exhausted during tracing
            if own:
                raise Abort("loop left during tracing", self.line)
            self.guard(I.GUARD_FALSE, more)
            self.stack.pop()
            return
        self.guard(I.GUARD_TRUE, more)
        f = arr.typecode in "fd"
        v = self.emit(I.GETARRAYITEM_RAW_F if f else I.GETARRAYITEM_RAW_I, arr.base, sh.idx,
                      descr=arr.typecode)
        self.stack[-1] = ArrayIter(arr, self.emit(I.INT_ADD, sh.idx, Const(1)))
        self.stack.append(Num(v, float if f else int))

    def record_LOOP_HEADER(self, arg: int) -> None:
        self.concrete(arg)

    def record_CALL(self, arg: tuple[int, tuple]) -> None:
        n, kwnames = arg
        args = self.stack[len(self.stack) - n:]
        fn = self.stack[-n - 1]
        if isinstance(fn, lists.BoundAppend):
            lists.append(self, fn, arg)
            return
        if isinstance(fn, BoundMethod):
            method = self.frame.stack[-n - 1]
            code = self._jitnb_function(fn.func, f"method {fn.func.__name__}")
            self.inline(code, fn.func, n, kwnames, (fn.self_sh, method.__self__))
            return
        if not isinstance(fn, Known):
            self.nyi("call")
        target = fn.obj
        if isinstance(target, type) and OB.is_instance_class(target):
            self.construct(target, n, kwnames)
            return
        if target is len and n == 1 and not kwnames and isinstance(args[0], VTuple):
            self.concrete(arg)
            del self.stack[len(self.stack) - 2:]
            self.stack.append(Num(Const(len(args[0].items)), int))
            return
        code = self.inline_unit(target) if self.inline_unit is not None else None
        if code is not None:   # (its loops, if any, are called: call_loop)
            self.inline(code, target, n, kwnames)
            return
        if target is len and n == 1 and not kwnames:
            args[0] = lists.known_seq(self, -1)
        if target is len and n == 1 and not kwnames and isinstance(args[0], (ArrayRef, SeqRef)):
            self.concrete(arg)
            length = (args[0].length if isinstance(args[0], ArrayRef)
                      else lists.length(self, args[0]))
            del self.stack[len(self.stack) - 2:]
            self.stack.append(Num(length, int))
            return
        if target is range and 1 <= n <= 3 and all(isinstance(a, Num) and a.py is int for a in args):
            self.record_range(arg, args)
            return
        name = getattr(target, "__name__", type(target).__name__)
        spec = MATH_CALLS.get(target)
        if spec is None and target in (int, float, abs, min, max):
            spec = target
        if spec is None or kwnames or not all(isinstance(a, Num) for a in args):
            self.residual(arg, target, name, n, kwnames)
            return
        self.call_args = self.frame.stack[len(self.frame.stack) - n:]
        self.concrete(arg)
        result = self.frame.stack[-1]
        del self.stack[len(self.stack) - n - 1:]
        self.stack.append(self.call(target, spec, args, name, result))

    def inline(self, code: Any, fn: Any, n: int, kwnames: tuple,
               bound: tuple[Any, Any] | None = None, post: tuple | None = None,
               post_sh: tuple = ()) -> None:
        """Trace into a jitnb function: its body becomes part of the trace.  `bound` is
        (shadow, value) of a method's ``self``.  A recursive call of a plain function, or
        one beyond the inlining depth, calls the function's machine code instead where it
        has some (``call_entry``)."""
        if bound is None and post is None:
            recursive = code is self.root_unit or any(c.unit is code for c in self.callers[1:])
            if (recursive or len(self.callers) >= self.inline_depth) and \
                    self.call_entry(fn, n, kwnames):
                return
        params = code.params
        pos = n - len(kwnames)
        shadows = self.stack[len(self.stack) - n:]
        values = self.frame.stack[len(self.frame.stack) - n:]
        if bound is not None:
            shadows, values, pos, n = [bound[0]] + shadows, [bound[1]] + values, pos + 1, n + 1
        if pos > len(params):
            self.nyi(f"call to {fn.__name__} with too many arguments")
        slots: dict[str, tuple[Any, Any]] = {p: (shadows[i], values[i]) for i, p in enumerate(params[:pos])}
        for k, name in enumerate(kwnames):
            if name not in params or name in slots:
                self.nyi(f"call to {fn.__name__} with keyword {name!r}")
            slots[name] = (shadows[pos + k], values[pos + k])
        defaults = fn.__defaults__ or ()
        first_default = len(params) - len(defaults)
        for i, p in enumerate(params):
            if p not in slots:
                if i < first_default:
                    self.nyi(f"call to {fn.__name__} missing an argument")
                d = defaults[i - first_default]
                slots[p] = (self._const_shadow(d), d)
        # the call, done by hand: pop callee and arguments, and enter the new frame
        pop = n + 1 if bound is None else n
        self.enter(code, fn, [slots[p][0] for p in params], [slots[p][1] for p in params], pop,
                   post, post_sh)

    @property
    def root_unit(self) -> Any:
        return self.callers[0].unit if self.callers else self.unit

    def call_entry(self, fn: Any, n: int, kwnames: tuple) -> bool:
        """``call_loop`` of a compiled function (PyPy's call_assembler), bounded by a
        nesting counter; its result is read from its frame.  Any other exit of the callee
        fails the guard after the call, and the interpreter redoes the call (the callee
        has no other effect).  False if the call cannot be made so."""
        args = self.stack[len(self.stack) - n:]
        if self.entry_call is None or kwnames or not all(isinstance(a, Num) for a in args):
            return False
        target = self.entry_call(fn, [a.py for a in args], self)
        if target is None:
            return False
        from ..compiled import CALL_DEPTH_ADDRESS, MAX_CALL_DEPTH, result_tag
        descr, results = target
        self.concrete((n, kwnames))          # the call, for real
        result = self.frame.stack[-1]
        if not (fits_int(result) or type(result) in (float, bool)):
            self.nyi(f"call to {fn.__name__} returning {type(result).__name__}")
        depth_cell = Const(CALL_DEPTH_ADDRESS)
        depth = self.emit(I.GETARRAYITEM_RAW_I, depth_cell, Const(0), descr="q")
        self.guard(I.GUARD_TRUE, self.emit(I.INT_LT, depth, Const(MAX_CALL_DEPTH)))
        self.emit(I.SETARRAYITEM_RAW_I, depth_cell, Const(0),
                  self.emit(I.INT_ADD, depth, Const(1)), descr="q")
        r = self.emit(I.CALL_LOOP, Const(0), *[a.v for a in args], descr=descr)
        self.emit(I.SETARRAYITEM_RAW_I, depth_cell, Const(0), depth, descr="q")
        self.guard(I.GUARD_VALUE, r, Const(-1))
        frame = Const(descr.frame_address)
        tag = self.emit(I.GETARRAYITEM_RAW_I, frame, Const(1), descr="q")
        ival = self.emit(I.GETARRAYITEM_RAW_I, frame, Const(2), descr="q")
        fval = self.emit(I.GETARRAYITEM_RAW_F, frame, Const(2), descr="d")
        del self.stack[len(self.stack) - n - 1:]
        # a result of another kind resumes after the call (the call is not made again)
        self.stack.append(EntryResult(tag, ival, fval, results))
        self.take_snapshot()
        self.guard(I.GUARD_VALUE, tag, Const(result_tag(results, ("num", type(result)))))
        self.stack[-1] = Num(fval if type(result) is float else ival, type(result))
        return True

    @staticmethod
    def _const_shadow(v: Any) -> Any:
        if fits_int(v) or type(v) is bool:
            return Num(Const(int(v)), type(v))
        if type(v) is float:
            return Num(Const(v), float)
        return Known(v)

    def min_max(self, is_min: bool, args: list[Num]) -> Num:
        """``min``/``max`` of numbers, as CPython computes them: keep the running result and
        replace it when the next argument compares less (greater); guard each outcome."""
        values = self.call_args
        best, best_value = args[0], values[0]
        rel = "lt" if is_min else "gt"
        for sh, v in zip(args[1:], values[1:]):
            floats = sh.py is float or best.py is float
            num = I.BY_NAME[f"{'float' if floats else 'int'}_{rel}"].num
            x, y = (self.as_float(sh), self.as_float(best)) if floats else (sh.v, best.v)
            cond = self.emit(num, x, y)
            better = (v < best_value) if is_min else (v > best_value)
            self.guard(I.GUARD_TRUE if better else I.GUARD_FALSE, cond)
            if better:
                best, best_value = sh, v
        return best

    def record_range(self, arg: tuple, args: list[Num]) -> None:
        """``range(...)`` feeding a nested ``for``: a virtual range, no object is built."""
        vstep = None
        if len(args) == 3 and not isinstance(args[2].v, Const):
            actual = self.frame.stack[-1]
            if actual == 0:
                self.nyi("range with step 0")
            step = 1 if actual > 0 else -1     # the sign is guarded, the value is not
            vstep = args[2].v
            self.guard(I.GUARD_TRUE, self.emit(I.INT_GT if step > 0 else I.INT_LT, vstep, Const(0)))
        else:
            step = args[2].v.value if len(args) == 3 else 1
        if step == 0:
            self.nyi("range with step 0")
        start = args[0].v if len(args) >= 2 else Const(0)
        stop = args[1].v if len(args) >= 2 else args[0].v
        self.concrete(arg)
        del self.stack[len(self.stack) - len(args) - 1:]
        self.stack.append(VRange(start, stop, step, vstep))

    # -- residual calls (see trace/residual.py) ----------------------------------------
    def residual(self, arg: tuple, target: Any, name: str, n: int, kwnames: tuple) -> None:
        """Any other callable: ``call_py`` calls it from the machine code.  The status
        guard resumes after the call, with the result kept by the call site."""
        if self.function and id(target) in R._FRAME_BUILTINS:
            # jitnb runs the function: its caller's frame would be jitnb's (CPython runs
            # the call if nothing has been done yet)
            self.nyi(f"call to {name}, which looks at its caller's frame, in a function trace")
        shadows = self.stack[len(self.stack) - n:]
        parts: list = []
        values: list[Value] = []
        for sh in shadows:
            if isinstance(sh, Num):
                parts.append((sh.py,))
                values.append(sh.v)
            elif isinstance(sh, Known):
                parts.append(("obj", sh.obj))
            else:
                self.nyi(f"call to {name} with a {type(sh).__name__} argument")
        if len(values) > R.MAX_ARGS // 2:
            self.nyi(f"call to {name} with {len(values)} arguments")
        specs = self.target.inputs if self.bridge else self.specs
        if any(s.loc.where == "global" and s.part for s in specs) or \
                any(isinstance(sh, (ArrayRef, ArrayIter)) for sh in self.globals.values()):
            self.nyi(f"call to {name} in a loop with a global array")
        self._check_iterators_unreachable(name, specs)
        self._note_held_seqs(name)
        if self.world is None:
            self.world = R.World(self.frame.globals)
        if self.world.namespace is not self.frame.globals:
            self.nyi(f"call to {name} from another namespace")
        descr = R.ResidualCall(target, name, parts, kwnames, self.unit, self.world,
                               self.frame.builtins)
        at_call = dict(self.globals)
        self.concrete(arg)           # the call itself, done once, for real
        result = self.frame.stack[-1]
        expected, _ = R.classify(result)
        if expected >= R.OBJECT:
            self.nyi(f"call to {name} returning {type(result).__name__}")
        if self.first_call < 0:
            self.first_call = len(self.ops)
        status = self.emit(I.CALL_PY, *values, descr=descr)
        self.residuals.append((status, descr, at_call))
        del self.stack[len(self.stack) - n - 1:]
        # the guard's snapshot: after the call, its result kept by the call site; globals
        # are not in it (the call wrote them back, the namespace holds them)
        self.stack.append(CallResult(descr))
        self._pending = (self.frame.pc, self.line, list(self.fast), {}, list(self.stack),
                         tuple(self.callers), self.unit)
        self.snapshot = None
        self.guard(I.GUARD_VALUE, status, Const(expected))
        for gname, sh in at_call.items():   # the trace goes on with the globals re-read
            now = self.frame.globals.get(gname)
            if isinstance(sh, Known) and now is not sh.obj:
                self.nyi(f"call to {name} rebinds global {gname!r}")
            if isinstance(sh, Num):
                if not (fits_int(now) or type(now) in (float, bool)):
                    self.nyi(f"call to {name} makes global {gname!r} a {type(now).__name__}")
                py = type(now)
                self.globals[gname] = Num(self._read_out(descr, descr.add_reread(gname, py), py),
                                          py)
        if expected == R.NONE:
            self.stack[-1] = Known(None)
        else:
            py = {R.INT: int, R.FLOAT: float, R.BOOL: bool}[expected]
            self.stack[-1] = Num(self._read_out(descr, 0, py), py)

    def _check_iterators_unreachable(self, name: str, specs: list) -> None:
        """The loop's iterators are unboxed in the trace (their objects are updated only
        at exits): a callee must not be able to reach one through a variable."""
        frame = self.callers[0].frame if self.callers else self.frame
        own = "_jitnb"     # the instrumented code's own reference to the iterator
        named = {id(v) for n, v in zip(frame.unit.localnames, frame.fast) if not n.startswith(own)}
        named |= {id(v) for n, v in frame.globals.items() if not n.startswith(own)}
        for spec in specs:
            if spec.part in ("cur", "aidx", "sidx"):
                at = self.base + spec.loc.key
                if not 0 <= at < len(frame.stack) or id(frame.stack[at]) in named:
                    self.nyi(f"call to {name} in a loop over a named iterator")

    def _read_out(self, descr: Any, slot: int, py: type) -> Value:
        if py is float:
            return self.emit(I.GETARRAYITEM_RAW_F, Const(descr.out_address), Const(slot), descr="d")
        return self.emit(I.GETARRAYITEM_RAW_I, Const(descr.out_address), Const(slot), descr="q")

    def _global_shadow(self, name: str, value: Any) -> Any:
        """The shadow of a global first touched in this iteration.  After a residual call
        its value is the one that call re-read (the trace's input is older)."""
        if self.residuals and type(value) is _array.array:
            self.nyi(f"global array {name!r} after a residual call")
        if self.residuals and lists.is_seq(value) and not self.bridge:
            self.nyi(f"global {type(value).__name__} {name!r} after a residual call")
        sh = self._shadow_value(Loc("global", name), value)
        if self.residuals and isinstance(sh, Num):
            _, descr, _ = self.residuals[-1]
            try:
                slot = descr.add_reread(name, sh.py)
            except OverflowError as e:
                raise Abort(str(e), self.line) from None
            sh = Num(self._read_out(descr, slot, sh.py), sh.py)
        return sh

    def _note_held_seqs(self, name: str) -> None:
        """The lists and tuples the trace holds by address across a call (the callee may
        drop any reference it can reach); checked at the jump by ``_finish_residuals``."""
        shadows = list(self.fast) + list(self.stack) + list(self.globals.values())
        for c in self.callers:
            shadows += list(c.fast) + list(c.stack)
        for sh in shadows:
            if isinstance(sh, (SeqIter, lists.BoundAppend)):
                sh = sh.seq
            if isinstance(sh, SeqRef) and not isinstance(resolve(sh.ptr), Const):
                if self.bridge:
                    self.nyi(f"call to {name} in a bridge holding a list")
                self.held_seqs.append((name, resolve(sh.ptr)))

    def _finish_residuals(self, jump_args: list[Value]) -> None:
        """Now that every global the trace holds is known: each call writes all of them
        back first (their values at the call), and re-checks every assumption after.
        A list or tuple held across a call must be one the frame keeps alive for the whole
        run: an input from a local (or the loop's iterator) that the jump passes back as is
        (an item's address could be freed by the callee, which may empty its container)."""
        if not self.residuals:
            return
        for name, ptr in self.held_seqs:
            k = next((k for k, v in enumerate(self.inputs) if v is ptr), None)
            if k is None or self.specs[k].part != "sptr" or \
                    self.specs[k].loc.where not in ("fast", "stack") or \
                    resolve(jump_args[k]) is not ptr:
                raise Abort(f"a list or tuple held across the call to {name} may be freed "
                            "by it", self.loop.line)
        specs = self.target.inputs if self.bridge else self.specs
        names = [(s.loc.key, s.py) for s in specs if s.loc.where == "global" and not s.part]
        for op, descr, at_call in self.residuals:
            for name, py in names:
                sh = at_call.get(name)
                if sh is None and not self.bridge:
                    sh = Num(self.inputs[next(i for i, s in enumerate(self.specs)
                                              if s.loc == Loc("global", name))], py)
                if not isinstance(sh, Num):
                    raise Abort(f"global {name!r} not unboxed at the call to {descr.name}",
                                self.loop.line)
                try:
                    descr.add_writeback(name, sh.py, sh.v.kind)
                except OverflowError as e:
                    raise Abort(str(e), self.loop.line) from None
                op.args.append(sh.v)
            descr.checks = [c for c in self.checks if c[0].where in ("global", "modattr")]
            descr.builtin_checks = list(self.builtin_checks)
        if not self.bridge:
            self.world.array_locs = [s.loc for s in self.specs if s.part == "abase"]

    def call(self, target: Any, spec: Any, args: list[Num], name: str, result: Any) -> Num:
        if target is float and len(args) == 1:
            return Num(self.as_float(args[0]), float)
        if target is int and len(args) == 1:
            a = args[0]
            if a.py is not float:
                return Num(a.v, int)
            self.guard(I.GUARD_TRUE, self.emit(I.FLOAT_LT, a.v, Const(9.2e18)))
            self.guard(I.GUARD_TRUE, self.emit(I.FLOAT_GT, a.v, Const(-9.2e18)))
            return Num(self.emit(I.CAST_FLOAT_TO_INT, a.v), int)
        if target is abs and len(args) == 1:
            a = args[0]
            if a.py is float:
                return Num(self.emit(I.FLOAT_ABS, a.v), float)
            negative = self.emit(I.INT_LT, a.v, Const(0))
            if result == self.call_args[0]:
                self.guard(I.GUARD_FALSE, negative)
                return Num(a.v, int)
            self.guard(I.GUARD_TRUE, negative)
            r = self.emit(I.INT_SUB_OVF, Const(0), a.v)
            self.guard(I.GUARD_NO_OVERFLOW)
            return Num(r, int)
        if target in (min, max) and len(args) >= 2:
            return self.min_max(target is min, args)
        if target in (int, float, abs, min, max):
            self.nyi(f"{name} with {len(args)} arguments")
        fargs = [self.as_float(a) for a in args]
        if len(fargs) != spec.arity:
            self.nyi(f"{name} with {len(args)} arguments")
        if spec.name == "sqrt":
            self.guard(I.GUARD_TRUE, self.emit(I.FLOAT_GE, fargs[0], Const(0.0)))
            return Num(self.emit(I.FLOAT_SQRT, fargs[0]), float)
        r = self.emit(I.CALL_F, *fargs, descr=spec)
        # CPython raises for results that overflow or are undefined: let it, off trace
        self.guard(I.GUARD_TRUE, self.emit(I.FLOAT_LT, self.emit(I.FLOAT_ABS, r), Const(math.inf)))
        return Num(r, float)

    def record_BUILD_TUPLE(self, n: int) -> None:
        items = tuple(self.stack[len(self.stack) - n:]) if n else ()
        self.concrete(n)
        del self.stack[len(self.stack) - n:]
        self.stack.append(VTuple(items))

    def record_BUILD_LIST(self, n: int) -> None:
        self.nyi("list display")

    def record_BUILD_MAP(self, n: int) -> None:
        self.nyi("dict display")

    def record_BUILD_SLICE(self, n: int) -> None:
        self.nyi("slice")

    def record_BUILD_STRING(self, n: int) -> None:
        self.nyi("string building")

    def record_FORMAT_VALUE(self, arg: Any) -> None:
        self.nyi("f-string")

    def record_UNPACK_SEQUENCE(self, n: int) -> None:
        sh = self.stack[-1]
        if isinstance(sh, Known) and type(sh.obj) is tuple and len(sh.obj) == n:
            self.concrete(n)   # a constant tuple: its items are constants too
            self.stack[-1:] = [self._const_shadow(x) for x in reversed(sh.obj)]
            return
        sh = lists.known_seq(self, -1)
        if isinstance(sh, SeqRef):
            lists.unpack(self, n)
            return
        if not (isinstance(sh, VTuple) and len(sh.items) == n):
            self.nyi("unpacking")
        self.concrete(n)
        self.stack.pop()
        self.stack.extend(reversed(sh.items))

    def record_POP_TOP(self, arg: Any) -> None:
        self.concrete(arg)
        self.stack.pop()

    def record_DUP_TOP(self, arg: Any) -> None:
        self.concrete(arg)
        self.stack.append(self.stack[-1])

    def record_DUP_TOP_TWO(self, arg: Any) -> None:
        self.concrete(arg)
        self.stack.extend(self.stack[-2:])

    def record_ROT_TWO(self, arg: Any) -> None:
        self.concrete(arg)
        s = self.stack
        s[-1], s[-2] = s[-2], s[-1]

    def record_ROT_THREE(self, arg: Any) -> None:
        self.concrete(arg)
        s = self.stack
        s[-1], s[-2], s[-3] = s[-2], s[-3], s[-1]

    def record_RETURN_VALUE(self, arg: Any) -> None:
        if not self.callers:
            raise Abort("return inside the loop", self.line)
        result = self.stack.pop()
        value = self.frame.stack.pop()
        caller = self.callers.pop()
        self.frame, self.unit, self.fast, self.stack = caller.frame, caller.unit, caller.fast, caller.stack
        self.frame.line = self.unit.instrs[self.frame.pc - 1].line
        try:
            push, done = OB.complete(caller.post, value)
        except BaseException as e:
            if self.callers:
                e = with_frames(e, [c.frame for c in self.callers[1:]] + [self.frame])
            raise UserRaised(e) from None
        if push:
            self.frame.stack.append(done)
        if caller.post is None:
            self.stack.append(result)
        elif caller.post[0] == "init":
            self.stack.append(caller.post_sh[0])
        elif caller.post[0] != "discard":
            if value is NotImplemented:
                self.line = self.frame.line
                raise Abort("operator fell back to the reflected method", self.line)
            self.stack.append(result)

    def record_RAISE(self, n: int) -> None:
        raise Abort("raise inside the loop", self.line)

    def record_UNSUPPORTED(self, arg: Any) -> None:
        raise Abort(str(arg), self.line)
