"""Residual calls: a trace calls any Python callable from machine code and goes on.

    machine code: args to the site's buffer ─► status = callback(buffer)  (``call_py``)
      callback (takes the GIL): write back the globals the trace holds unboxed
        ─► box the arguments, call the target (through the caller's trampoline)
        ─► unbox the result to out[0]; re-read globals to out[1..]; re-check what the
           trace assumed (constant globals, module attributes, builtins, arrays)
    trace: guard_value(status, expected) ─► results read from out[]

A failing status guard resumes *after* the call: the call's effects have happened,
and its result object (or exception) waits in the site's side table (``kept``) for
the interpreter.  The callback runs each site's ``fast_path`` (Python code generated
for it); under the trace checker it takes the generic ``invoke`` and logs every call,
and the reference interpreter replays the log (arguments compared, results and memory
restored) instead of calling again.
"""
from __future__ import annotations

import builtins
import contextlib
import ctypes
import itertools
import struct
import sys
import weakref
from dataclasses import dataclass, field
from typing import Any, Iterator

from ..interp.interpreter import caller_for

# status: the kind of result (low bits), CHANGED if an assumption of the trace broke
INT, FLOAT, BOOL, NONE, OBJECT, RAISED = range(6)
CHANGED = 8
STATUS_NAMES = {INT: "int", FLOAT: "float", BOOL: "bool", NONE: "None"}
MAX_ARGS = 48          # argument words per call site (call arguments and globals)
MAX_REREAD = 32        # globals re-read after one call
_INT_MIN, _INT_MAX = -(1 << 63), (1 << 63) - 1
_MISSING = object()


def classify(value: Any) -> tuple[int, int]:
    """(status, 64-bit slot) of a call's result."""
    t = type(value)
    if t is int:
        return (INT, value) if _INT_MIN <= value <= _INT_MAX else (OBJECT, 0)
    if t is float:
        return FLOAT, struct.unpack("<q", struct.pack("<d", value))[0]
    if t is bool:
        return BOOL, int(value)
    if value is None:
        return NONE, 0
    return OBJECT, 0


def _slot(value: Any, py: type) -> int | None:
    """The 64-bit slot of a re-read global of type ``py``, None if it no longer is one."""
    if type(value) is not py:
        return None
    if py is float:
        return struct.unpack("<q", struct.pack("<d", value))[0]
    if py is int and not _INT_MIN <= value <= _INT_MAX:
        return None
    return int(value)


@dataclass
class World:
    """What one loop's residual calls share: the arrays the trace holds as raw buffers
    (set at each entry: (array, buffer_info) — a callee that resizes one breaks the
    trace), and the namespace the globals live in."""
    namespace: dict
    array_locs: list = field(default_factory=list)
    arrays: list = field(default_factory=list)


_SITES: dict[int, "ResidualCall"] = {}        # buffer address -> call site
_IDS = itertools.count(1)


class ResidualCall:
    """The ``descr`` of ``call_py``: one call site of a trace.

    ``parts`` says where each positional or keyword argument comes from: ``(py,)`` the
    next op argument boxed as ``py`` (int, float or bool), ``("obj", value)`` a constant
    object.  Op arguments after those are the globals to write back (``writeback``)."""

    needs_gil = True    # the callback takes the GIL itself: emulators need not release it

    def __init__(self, target: Any, name: str, parts: list, kwnames: tuple, unit: Any,
                 world: World, builtins: dict) -> None:
        self.target, self.name, self.parts, self.kwnames = target, name, parts, kwnames
        self.unit, self.world, self.builtins = unit, world, builtins
        self.kinds = "".join("f" if p[0] is float else "i" for p in parts if p[0] != "obj")
        self.writeback: list[tuple[str, type]] = []
        self.reread: list[tuple[str, type]] = []
        self.checks = []                   # (Loc, object): identities the trace assumes
        self.builtin_checks: list = []
        self.kept: tuple[int, Any] = (NONE, None)    # the last result or exception
        self.id = next(_IDS)
        self.buffer = (ctypes.c_int64 * (1 + MAX_ARGS))()
        self.buffer[0] = self.id
        self.out = (ctypes.c_int64 * (1 + MAX_REREAD))()
        self.view = memoryview(self.buffer).cast("B")
        _SITES[self.buffer_address] = self
        weakref.finalize(self, _SITES.pop, self.buffer_address, None)
        self.calls = 0
        self.arrays_moved = False
        self.fast = None            # fast_path(self), made at the first call
        self.trampoline = caller_for(unit)
        # the common case: the op's arguments are the call's, as they come
        self.plain = not kwnames and all(p[0] in (int, float) for p in parts)

    # -- what the backends and the recorder need --------------------------------------
    @property
    def address(self) -> int:
        """The machine code calls the shared callback (``int64 f(int64 *buffer)``)."""
        return CALLBACK_ADDRESS

    @property
    def buffer_address(self) -> int:
        return ctypes.addressof(self.buffer)

    @property
    def out_address(self) -> int:
        return ctypes.addressof(self.out)

    def add_reread(self, name: str, py: type) -> int:
        for j, (n, p) in enumerate(self.reread):
            if n == name and p is py:
                return 1 + j
        if len(self.reread) >= MAX_REREAD:
            raise OverflowError("too many globals re-read after a call")
        self.reread.append((name, py))
        return len(self.reread)

    def add_writeback(self, name: str, py: type, kind: str) -> None:
        if len(self.kinds) >= MAX_ARGS:
            raise OverflowError("too many arguments for a residual call")
        self.writeback.append((name, py))
        self.kinds += kind
        self.plain = False

    @property
    def checks(self) -> list:
        return self._checks

    @checks.setter
    def checks(self, checks: list) -> None:
        self._checks = checks
        self._global_checks = [(loc.key, obj) for loc, obj in checks if loc.where == "global"]
        self._attr_checks = [(loc.key[0], loc.key[1], obj) for loc, obj in checks
                             if loc.where == "modattr"]

    @property
    def kinds(self) -> str:
        return self._kinds

    @kinds.setter
    def kinds(self, kinds: str) -> None:
        self._kinds = kinds
        self.format = "<" + "".join("d" if k == "f" else "q" for k in kinds)

    def __str__(self) -> str:
        return "".join(c if c.isalnum() or c in "_.<>" else "_" for c in self.name) or "call"

    # -- the call --------------------------------------------------------------------
    def invoke(self, values: list) -> int:
        """Do the call from unboxed ``values``; the status the trace guards."""
        self.calls += 1
        if self.plain:
            args = values
        else:
            it = iter(values)
            args = [p[1] if p[0] == "obj" else p[0](next(it)) for p in self.parts]
            ns = self.world.namespace
            for name, py in self.writeback:
                ns[name] = py(next(it))
        try:
            result = self.trampoline(self.target, args, self.kwnames)
        except BaseException as e:  # noqa: BLE001 - the user's: raised again at the exit
            self.kept = (RAISED, e)
            status = RAISED
        else:
            self.kept = (OBJECT, result)
            t = type(result)
            if t is int and _INT_MIN <= result <= _INT_MAX:
                self.out[0] = result
                status = INT
            elif t is float:
                struct.pack_into("<d", self.out, 0, result)
                status = FLOAT
            else:
                status, self.out[0] = classify(result)
        if self.reread or self.checks or self.builtin_checks or self.world.arrays:
            return status | (0 if self.world_intact() else CHANGED)
        return status

    def world_intact(self) -> bool:
        """Re-read the globals the trace goes on with; check what it assumed."""
        ns = self.world.namespace
        ok = True
        if self.world.arrays:   # an array resized under the trace: its buffer may be gone
            self.arrays_moved = any(arr.buffer_info() != info for arr, info in self.world.arrays)
            ok = not self.arrays_moved
        for j, (name, py) in enumerate(self.reread):
            bits = _slot(ns.get(name, _MISSING), py)
            if bits is None:
                ok = False
            else:
                self.out[1 + j] = bits
        for name, obj in self._global_checks:
            if ns.get(name, _MISSING) is not obj:
                return False
        for module, name, obj in self._attr_checks:
            if getattr(module, name, _MISSING) is not obj:
                return False
        for name, obj in self.builtin_checks:
            if name in ns or self.builtins.get(name, _MISSING) is not obj:
                return False
        return ok

    def reference_call(self, values: list) -> int:
        """``call_py`` in the reference interpreter: replayed under the checker."""
        if _REPLAYS:
            return _REPLAYS[-1].replay(self, values)
        return self.invoke(values)


# Builtins that look at their caller's frame: always called through the trampoline.
_FRAME_BUILTINS = {id(f) for f in (locals, globals, vars, dir, eval, exec, super, breakpoint,
                                   builtins.__import__, sys._getframe)}


def fast_path(site: "ResidualCall"):
    """``site.invoke`` specialised to the site, as Python code of its own: arguments read
    from the buffer, constants, the checks unrolled (the callback's common path)."""
    env: dict[str, Any] = {"site": site, "buf": site.buffer, "out": site.out,
                           "ns": site.world.namespace, "target": site.target,
                           "tramp": site.trampoline, "kwnames": site.kwnames,
                           "unpack": struct.unpack_from, "pack": struct.pack_into,
                           "view": site.view, "classify": classify, "MISSING": _MISSING,
                           "bi": site.builtins, "slot": _slot, "world": site.world}
    src = ["def fast():", "    site.calls += 1"]
    k = 1

    def word(py: type) -> str:
        nonlocal k
        k += 1
        if py is float:
            return f"unpack('<d', view, {8 * (k - 1)})[0]"
        return f"buf[{k - 1}]" if py is int else f"(buf[{k - 1}] != 0)"
    args = []
    for j, p in enumerate(site.parts):
        if p[0] == "obj":
            env[f"c{j}"] = p[1]
            args.append(f"c{j}")
        else:
            args.append(word(p[0]))
    for j, (name, py) in enumerate(site.writeback):
        src.append(f"    ns[{name!r}] = {word(py)}")
    direct = (not site.kwnames and type(site.target).__name__ == "builtin_function_or_method"
              and id(site.target) not in _FRAME_BUILTINS)
    call = (f"target({', '.join(args)})" if direct
            else f"tramp(target, [{', '.join(args)}], kwnames)")
    src += ["    try:", f"        r = {call}",
            "    except BaseException as e:",
            f"        site.kept = ({RAISED}, e)", f"        status = {RAISED}",
            "    else:", f"        site.kept = ({OBJECT}, r)", "        t = type(r)",
            f"        if t is int and {_INT_MIN} <= r <= {_INT_MAX}:",
            f"            out[0] = r; status = {INT}",
            "        elif t is float:", f"            pack('<d', out, 0, r); status = {FLOAT}",
            "        else:", "            status, out[0] = classify(r)"]
    if site.world.array_locs:
        src += ["    if world.arrays and site.world_intact() is False:",
                f"        return status | {CHANGED}"]
    for j, (name, py) in enumerate(site.reread):
        env[f"p{j}"] = py
        src += [f"    b = slot(ns.get({name!r}, MISSING), p{j})",
                f"    if b is None: return status | {CHANGED}", f"    out[{1 + j}] = b"]
    for j, (name, obj) in enumerate(site._global_checks):
        env[f"g{j}"] = obj
        src += [f"    if ns.get({name!r}, MISSING) is not g{j}: return status | {CHANGED}"]
    for j, (module, name, obj) in enumerate(site._attr_checks):
        env[f"m{j}"], env[f"a{j}"] = module, obj
        src += [f"    if getattr(m{j}, {name!r}, MISSING) is not a{j}: return status | {CHANGED}"]
    for j, (name, obj) in enumerate(site.builtin_checks):
        env[f"b{j}"] = obj
        src += [f"    if {name!r} in ns or bi.get({name!r}, MISSING) is not b{j}:",
                f"        return status | {CHANGED}"]
    src.append("    return status")
    exec("\n".join(src), env)
    return env["fast"]


def _dispatch(address: int) -> int:
    """The callback machine code calls with a site's buffer; never lets an exception
    escape into C."""
    try:
        site = _SITES[address]
        if not _LOGS:
            fast = site.fast
            if fast is None:
                fast = site.fast = fast_path(site)
            return fast()
        values = list(struct.unpack_from(site.format, site.view, 8))
        status = site.invoke(values)
        if _LOGS:
            _LOGS[-1].add(site, values, status)
        return status
    except BaseException as e:  # noqa: BLE001 - surfaces at the exit, never lost
        site = _SITES.get(address)
        if site is not None:
            site.kept = (RAISED, e)
        return RAISED | CHANGED


def _rwx() -> set[tuple[int, int]]:
    with open("/proc/self/maps") as f:
        spans = [line.split()[:2] for line in f]
    return {tuple(int(x, 16) for x in addr.split("-")) for addr, perms in spans
            if "w" in perms and "x" in perms}


# The callback's thunk is libffi's closure code, which libffi may place in a page it maps
# read-write-execute; that page holds no jitnb code.  It is noted, like the emulator's.
_before = _rwx()
CALLBACK_TYPE = ctypes.CFUNCTYPE(ctypes.c_int64, ctypes.c_int64)
CALLBACK = CALLBACK_TYPE(_dispatch)
CALLBACK_ADDRESS = ctypes.cast(CALLBACK, ctypes.c_void_p).value
FFI_RWX: list[tuple[int, int]] = sorted(_rwx() - _before)


# -- the checker: log the machine's calls, replay them in the reference interpreter --------
class CallLog:
    def __init__(self, regions: list[tuple[int, int]]) -> None:
        self.regions = regions
        self.entries: list[tuple] = []
        self.moved = False      # an array moved: its old memory must not be touched

    def copy(self) -> "CallLog":
        """The same calls, to replay once more (the unoptimised trace's check)."""
        other = CallLog(self.regions)
        other.entries, other.moved = list(self.entries), self.moved
        return other

    def add(self, site: ResidualCall, values: list, status: int) -> None:
        self.moved = self.moved or site.arrays_moved
        memory = [] if self.moved else [ctypes.string_at(a, n) for a, n in self.regions]
        self.entries.append((site, values, status, bytes(site.out), memory))

    def replay(self, site: ResidualCall, values: list) -> int:
        if not self.entries:
            raise AssertionError(f"reference interpreter calls {site.name} more often "
                                 "than the machine code")
        logged, args, status, out, memory = self.entries.pop(0)
        same = logged is site and len(args) == len(values) and all(
            struct.pack("<d", a) == struct.pack("<d", b) if isinstance(a, float)
            else a == b for a, b in zip(args, values))
        if not same:
            raise AssertionError(f"residual call {site.name}: reference arguments {values} "
                                 f"differ from the machine code's {args}")
        ctypes.memmove(site.out, out, len(out))
        for (a, n), data in zip(self.regions, memory):
            ctypes.memmove(a, data, n)
        return status


_LOGS: list[CallLog] = []
_REPLAYS: list[CallLog] = []


@contextlib.contextmanager
def logging(regions: list[tuple[int, int]]) -> Iterator[CallLog]:
    log = CallLog(regions)
    _LOGS.append(log)
    try:
        yield log
    finally:
        _LOGS.remove(log)


@contextlib.contextmanager
def replaying(log: CallLog) -> Iterator[None]:
    _REPLAYS.append(log)
    try:
        yield
    finally:
        _REPLAYS.remove(log)
