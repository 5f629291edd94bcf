"""Functions that traces call natively: ``math`` functions backed by the C library.

CPython's ``math`` module calls the same libm, so results are bit-identical; the
recorder guards the result so that every case where CPython would raise
(overflow, domain errors) is redone by the interpreter.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import math
from dataclasses import dataclass
from functools import cached_property
from typing import Callable


@dataclass(frozen=True, eq=False)
class CallDescr:
    name: str
    func: Callable
    arity: int

    @cached_property
    def address(self) -> int:
        """Absolute address of the C function (double f(double[, double]))."""
        fn = getattr(_libm(), self.name)
        return ctypes.cast(fn, ctypes.c_void_p).value

    @cached_property
    def c_function(self):
        fn = getattr(_libm(), self.name)
        fn.restype = ctypes.c_double
        fn.argtypes = [ctypes.c_double] * self.arity
        return fn

    def c_call(self, *args: float) -> float:
        """Call the C function itself (no Python exceptions: inf/nan as libm gives them)."""
        return self.c_function(*args)

    def __str__(self) -> str:
        return self.name


_LIBM = None


def _libm():
    global _LIBM
    if _LIBM is None:
        _LIBM = ctypes.CDLL(ctypes.util.find_library("m") or "libm.so.6")
    return _LIBM


_ONE = ["sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "tanh", "exp", "log",
        "log10", "log2", "log1p", "expm1", "sqrt", "floor", "ceil", "fabs", "atanh", "asinh",
        "acosh", "erf", "erfc"]
_TWO = ["atan2", "fmod", "copysign", "pow"]   # not hypot: CPython has its own algorithm
MATH_CALLS: dict[Callable, CallDescr] = {}
for _n in _ONE + _TWO:
    if hasattr(math, _n) and _n not in ("floor", "ceil", "pow", "fmod", "log", "fabs", "erf", "erfc"):
        MATH_CALLS[getattr(math, _n)] = CallDescr(_n, getattr(math, _n), 1 if _n in _ONE else 2)
BY_NAME = {d.name: d for d in MATH_CALLS.values()}
POW = CallDescr("pow", math.pow, 2)   # float ** float (CPython's float_pow calls pow())
