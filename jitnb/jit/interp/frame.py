"""Interpreter frames: the live state of one jitnb code unit over real Python objects."""
from __future__ import annotations

import builtins as _builtins
from typing import Any

from ..lang.compiler import CodeUnit


class _Unbound:
    """Marks a local variable without a value."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "<unbound>"

    def __reduce__(self):
        return (_Unbound, ())


UNBOUND: Any = _Unbound()


def builtins_of(globals_: dict) -> dict:
    b = globals_.get("__builtins__", _builtins)
    return b.__dict__ if hasattr(b, "__dict__") and not isinstance(b, dict) else b


class Frame:
    """Locals, value stack and position of one activation."""

    __slots__ = ("unit", "fast", "stack", "globals", "builtins", "frees", "pc", "line")

    def __init__(self, unit: CodeUnit, globals_: dict, fast: list | None = None,
                 frees: dict[str, Any] | None = None):
        self.unit = unit
        self.fast: list[Any] = fast if fast is not None else [UNBOUND] * len(unit.localnames)
        self.stack: list[Any] = []
        self.globals = globals_
        self.builtins = builtins_of(globals_)
        self.frees = frees or {}
        self.pc = 0
        self.line = unit.firstlineno

    @classmethod
    def from_locals(cls, unit: CodeUnit, globals_: dict, f_locals: dict) -> "Frame":
        """A frame whose fast locals and free variables come from a CPython ``locals()`` dict."""
        if unit.is_module:
            return cls(unit, globals_)
        fast = [f_locals.get(n, UNBOUND) for n in unit.localnames]
        frees = {n: f_locals.get(n, UNBOUND) for n in unit.freenames}
        return cls(unit, globals_, fast, frees)

    def local_values(self, names: list[str]) -> tuple:
        slots = self.unit.localnames
        return tuple(self.fast[slots.index(n)] for n in names)
