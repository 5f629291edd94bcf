"""Differential testing: run a program under CPython and under jitnb, compare outcomes.

An :class:`Outcome` is what a program visibly does:

* the text it printed on stdout;
* the final values of the user-visible names of its namespace, canonicalised
  so that plain data compares by value (floats bit for bit, NaN and -0.0
  included) while functions, classes and modules compare by name only;
* the exception it ended with, if any: type, message and the line of the
  innermost traceback frame that belongs to the program itself.

``assert_same(src, **params)`` runs both and fails with a readable diff.
"""
from __future__ import annotations

import array
import contextlib
import difflib
import io
import itertools
import struct
import types
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import jitnb
from jitnb import events as jit_events

_serial = itertools.count(1)

# -- canonical values --------------------------------------------------------------------

_MAX_DEPTH = 12
_MAX_ITEMS = 2000


def float_key(x: float) -> tuple:
    """A float by its bits: 0.0 != -0.0, every NaN payload is distinct, nan == the same nan."""
    return ("float", struct.pack("<d", x).hex(), repr(x))


def canon(value: Any, _depth: int = 0, _seen: frozenset = frozenset()) -> Any:
    """A comparable (nested tuples of plain data) image of `value`.

    Two values are "the same" when their canonical images are ``==``.
    """
    if _depth > _MAX_DEPTH:
        return ("<too deep>",)
    t = type(value)
    if value is None or t in (bool, int, str, bytes, bytearray):
        return (t.__name__, bytes(value) if t is bytearray else value)
    if t is float:
        return float_key(value)
    if t is complex:
        return ("complex", float_key(value.real), float_key(value.imag))
    if isinstance(value, types.ModuleType):
        return ("module", value.__name__)
    if isinstance(value, (types.FunctionType, types.BuiltinFunctionType, types.MethodType,
                          types.BuiltinMethodType, staticmethod, classmethod, property)):
        return ("callable", t.__name__, getattr(value, "__qualname__", repr(t)))
    if isinstance(value, type):
        return ("class", value.__qualname__)
    if id(value) in _seen:
        return ("<cycle>", t.__name__)
    seen = _seen | {id(value)}
    d = _depth + 1
    if t in (list, tuple):
        return (t.__name__, tuple(canon(v, d, seen) for v in value[:_MAX_ITEMS]), len(value))
    if t in (set, frozenset):
        items = sorted((canon(v, d, seen) for v in value), key=repr)
        return (t.__name__, tuple(items))
    if t is dict or isinstance(value, dict):
        return (t.__qualname__, tuple((canon(k, d, seen), canon(v, d, seen))
                                      for k, v in itertools.islice(value.items(), _MAX_ITEMS)))
    if t is range:
        return ("range", value.start, value.stop, value.step)
    if t is slice:
        return ("slice", canon(value.start, d, seen), canon(value.stop, d, seen),
                canon(value.step, d, seen))
    if t is array.array:
        return ("array", value.typecode, tuple(canon(v, d, seen) for v in value))
    if isinstance(value, BaseException):
        return ("exception", t.__qualname__, canon(value.args, d, seen))
    if isinstance(value, (list, tuple)):  # subclasses, namedtuples
        return (t.__qualname__, tuple(canon(v, d, seen) for v in value),
                _instance_state(value, d, seen))
    if isinstance(value, (types.GeneratorType, types.CoroutineType)) or _is_iterator(value):
        return ("iterator", t.__qualname__)
    if t.__module__ in ("__main__", "builtins") or hasattr(value, "__dict__") \
            or hasattr(t, "__slots__"):
        return ("instance", t.__qualname__, _instance_state(value, d, seen))
    return ("object", t.__qualname__)


def _is_iterator(value: Any) -> bool:
    t = type(value)
    return hasattr(t, "__next__") and hasattr(t, "__iter__")


def _instance_state(value: Any, depth: int, seen: frozenset) -> tuple:
    state: list = []
    d = getattr(value, "__dict__", None)
    if isinstance(d, dict):
        state += [(k, canon(v, depth, seen)) for k, v in d.items()]
    for klass in type(value).__mro__:
        slots = klass.__dict__.get("__slots__", ())
        if isinstance(slots, str):
            slots = (slots,)
        for name in slots:
            if name in ("__dict__", "__weakref__"):
                continue
            try:
                state.append((name, canon(getattr(value, name), depth, seen)))
            except AttributeError:
                state.append((name, ("<unset>",)))
    return tuple(state)


def user_names(namespace: dict) -> dict[str, Any]:
    """Canonical values of a namespace's user-visible names (dunder names excluded)."""
    return {k: canon(v) for k, v in namespace.items()
            if not (isinstance(k, str) and k.startswith("__") and k.endswith("__"))}


# -- outcomes ----------------------------------------------------------------------------

@dataclass
class Outcome:
    stdout: str
    names: dict[str, Any]
    exc: tuple[str, str, int | None] | None      # (type, message, line in the program)
    events: list = field(default_factory=list, compare=False, repr=False)
    namespace: dict = field(default_factory=dict, compare=False, repr=False)

    def describe_exc(self) -> str:
        if self.exc is None:
            return "no exception"
        kind, msg, line = self.exc
        return f"{kind}: {msg!r} at line {line}"


def _exc_info(exc: BaseException, filename: str) -> tuple[str, str, int | None]:
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            line = tb.tb_lineno
        tb = tb.tb_next
    try:
        msg = str(exc)
    except Exception as e:  # pragma: no cover - a broken __str__
        msg = f"<str() failed: {type(e).__name__}>"
    return type(exc).__qualname__, msg, line


def _filename(engine: str) -> str:
    return f"<difftest-{engine}-{next(_serial)}>"


def _run(source: str, engine: str, params: dict) -> Outcome:
    filename = _filename(engine)
    namespace: dict = {"__name__": "__main__"}
    out = io.StringIO()
    exc = None
    events: list = []
    unsubscribe = jit_events.subscribe(events.append) if engine == "jitnb" else None
    try:
        with contextlib.redirect_stdout(out):
            if engine == "jitnb":
                jitnb.run(source, namespace, filename=filename, **params)
            else:
                exec(compile(source, filename, "exec", dont_inherit=True), namespace)
    except BaseException as e:  # noqa: BLE001 - programs may end with any exception
        exc = _exc_info(e, filename)
    finally:
        if unsubscribe is not None:
            unsubscribe()
    return Outcome(out.getvalue(), user_names(namespace), exc, events, namespace)


def run_cpython(source: str) -> Outcome:
    """Run `source` with plain ``exec`` in a fresh ``__main__``-like namespace."""
    return _run(source, "cpython", {})


def run_jitnb(source: str, **params: Any) -> Outcome:
    """Run `source` with ``jitnb.run`` (``params`` are JIT parameters, e.g. threshold=1)."""
    return _run(source, "jitnb", params)


@lru_cache(maxsize=None)
def cpython_reference(source: str) -> Outcome:
    """CPython's outcome, computed once per source text (programs are deterministic)."""
    return run_cpython(source)


# -- comparison --------------------------------------------------------------------------

def differences(expected: Outcome, actual: Outcome) -> list[str]:
    """Human-readable differences between CPython's outcome and jitnb's (empty: same)."""
    diffs: list[str] = []
    if expected.stdout != actual.stdout:
        diff = difflib.unified_diff(expected.stdout.splitlines(), actual.stdout.splitlines(),
                                    "cpython stdout", "jitnb stdout", lineterm="", n=2)
        lines = list(diff)
        if len(lines) > 60:
            lines = lines[:60] + [f"... ({len(lines) - 60} more diff lines)"]
        diffs.append("stdout differs:\n" + "\n".join(lines))
    if expected.exc != actual.exc:
        diffs.append(f"exception differs:\n  cpython: {expected.describe_exc()}\n"
                     f"  jitnb:   {actual.describe_exc()}")
    if expected.names != actual.names:
        lines = []
        for k in sorted(set(expected.names) | set(actual.names)):
            a, b = expected.names.get(k, "<missing>"), actual.names.get(k, "<missing>")
            if a != b:
                lines.append(f"  {k}:\n    cpython: {_short(a)}\n    jitnb:   {_short(b)}")
        diffs.append("namespace differs:\n" + "\n".join(lines))
    return diffs


def _short(value: Any, limit: int = 300) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


def assert_same(source: str, **params: Any) -> Outcome:
    """Run `source` under CPython and jitnb; fail with a diff if they disagree.

    Returns jitnb's outcome (with the events of the run).
    """
    expected = cpython_reference(source)
    actual = run_jitnb(source, **params)
    diffs = differences(expected, actual)
    if diffs:
        shown = "\n".join(f"{i:3} | {line}" for i, line in enumerate(source.splitlines(), 1))
        raise AssertionError(f"jitnb ({_params_text(params)}) differs from CPython\n"
                             + "\n".join(diffs) + "\n--- program ---\n" + shown)
    return actual


def _params_text(params: dict) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in params.items()) or "default params"


def interp_entered(outcome: Outcome) -> bool:
    """Whether jitnb's own interpreter ran at least one iteration during the run."""
    return any(e.kind == "interp-enter" for e in outcome.events)


__all__ = ["Outcome", "run_cpython", "run_jitnb", "assert_same", "cpython_reference",
           "differences", "canon", "user_names", "interp_entered", "float_key"]

