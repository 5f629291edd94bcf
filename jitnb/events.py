"""Typed, timestamped JIT events and the hooks that receive them.

This is the one source the widgets, the profile and the event log read: the
compiler reports what it did here and nowhere else.  Each event is a small
dataclass with a ``kind`` (treated as immutable; not frozen, because frozen
dataclasses are slow to make and events are made on every machine-code entry); ``str(event)`` is its log line (one line per
event, in the spirit of PYPYLOG).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field, fields
from typing import Any, Callable, ClassVar, Iterable

_T0 = time.perf_counter()


def now() -> float:
    """Seconds since jitnb was imported (monotonic)."""
    return time.perf_counter() - _T0


@dataclass
class Event:
    kind: ClassVar[str] = "event"
    t: float = field(default_factory=now, kw_only=True)

    def data(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "t"}

    def __str__(self) -> str:
        parts = " ".join(f"{k}={v!r}" if isinstance(v, str) else f"{k}={v}"
                         for k, v in self.data().items())
        return f"[{self.t:.6f}] {self.kind} {parts}".rstrip()


_KINDS: dict[str, type[Event]] = {}


def event(kind: str):
    """Class decorator: an Event subclass registered under ``kind``."""
    def wrap(cls):
        cls.kind = kind
        cls = dataclass(cls)
        _KINDS[kind] = cls
        return cls
    return wrap


# -- the foundation's events -------------------------------------------------------------
@event("cell-start")
class CellStart(Event):
    filename: str
    loops: int
    functions: int


@event("cell-end")
class CellEnd(Event):
    filename: str
    seconds: float
    error: str = ""


@event("not-jitable")
class NotJitable(Event):
    """Code that runs as plain CPython, and why."""
    scope: str
    line: int
    reason: str


@event("loop-hot")
class LoopHot(Event):
    loop: int
    scope: str
    line: int
    count: int


@event("function-hot")
class FunctionHot(Event):
    """A function was called ``count`` times: it is traced from its start."""
    loop: int             # the function entry's number (shared with loops)
    scope: str
    line: int
    count: int


@event("interp-enter")
class InterpEnter(Event):
    loop: int
    line: int


@event("interp-leave")
class InterpLeave(Event):
    loop: int
    outcome: str          # resume | exit | return | raise | body (CPython runs the iteration)
    iterations: int
    seconds: float


@event("blacklisted")
class Blacklisted(Event):
    loop: int
    reason: str


# -- the tracing JIT's events --------------------------------------------------------------
@event("trace-start")
class TraceStart(Event):
    loop: int
    line: int


@event("trace-abort")
class TraceAbort(Event):
    loop: int
    reason: str
    line: int
    seconds: float


@event("trace-compiled")
class TraceCompiled(Event):
    loop: int
    ops_before: int
    ops_after: int
    guards: int
    code_bytes: int
    target: str
    t_record: float
    t_optimise: float
    t_assemble: float


@event("bridge-compiled")
class BridgeCompiled(Event):
    loop: int
    exit: int
    first_exit: int
    ops_before: int
    ops_after: int
    code_bytes: int
    target: str
    seconds: float


@event("trace-listing")
class TraceListing(Event):
    """A compiled loop's listing (source, IR before/after, guards, machine code), made only
    when the event is printed; the log shows it as a block, like PYPYLOG's jit-log-opt."""
    loop: int
    listing: Any

    def __str__(self) -> str:
        return f"[{self.t:.6f}] {self.kind} loop={self.loop}\n{self.listing}\n[end listing]"


@event("native-enter")
class NativeEnter(Event):
    loop: int
    target: str


@event("native-leave")
class NativeLeave(Event):
    loop: int
    guard: int
    iterations: int
    seconds: float


@event("guard-failed")
class GuardFailed(Event):
    loop: int
    guard: int
    line: int
    count: int


@event("loop-freed")
class LoopFreed(Event):
    loop: int


# -- hooks -------------------------------------------------------------------------------
Hook = Callable[[Event], None]


class Bus:
    """Delivers every event to the subscribed hooks (in subscription order)."""

    def __init__(self) -> None:
        self._hooks: list[tuple[Hook, frozenset[str] | None]] = []

    def subscribe(self, hook: Hook, kinds: Iterable[str] | None = None) -> Callable[[], None]:
        entry = (hook, frozenset(kinds) if kinds is not None else None)
        self._hooks.append(entry)

        def unsubscribe() -> None:
            if entry in self._hooks:
                self._hooks.remove(entry)
        return unsubscribe

    def emit(self, ev: Event) -> None:
        for hook, kinds in list(self._hooks):
            if kinds is None or ev.kind in kinds:
                hook(ev)

    @property
    def active(self) -> bool:
        return bool(self._hooks)


bus = Bus()
subscribe = bus.subscribe
emit = bus.emit


def kinds() -> dict[str, type[Event]]:
    """Every registered event kind."""
    return dict(_KINDS)
