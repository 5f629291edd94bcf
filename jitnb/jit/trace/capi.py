"""Functions of the Python C API that traces call (``call_i``) to change objects.

They are called with the GIL held, as every trace that touches objects runs (see
docs/architecture.md): ``PyFloat_FromDouble`` and friends make the new item,
``PyList_SetItem`` and ``PyList_Append`` store it as ``lst[i] = x`` and
``lst.append(x)`` do.  ``PyEval_SaveThread``/``PyEval_RestoreThread`` let a trace that
holds the GIL call an inner loop that runs without it; they are native-only
(``native_only``): emulators and the reference interpreter run with the GIL held
throughout, so there they do nothing and return 0.
"""
from __future__ import annotations

import ctypes
from dataclasses import dataclass
from functools import cached_property

_CTYPES = {"i": ctypes.c_int64, "f": ctypes.c_double}


@dataclass(frozen=True, eq=False)
class ApiCall:
    name: str
    args: str                  # argument kinds ("i" int64 or pointer, "f" double)
    native_only: bool = False  # GIL hand-over: a no-op wherever Python code runs the call
    needs_gil = True           # emulators call it without releasing the GIL

    @cached_property
    def address(self) -> int:
        return ctypes.cast(getattr(ctypes.pythonapi, self.name), ctypes.c_void_p).value

    @cached_property
    def c_function(self):
        proto = ctypes.PYFUNCTYPE(ctypes.c_int64, *[_CTYPES[k] for k in self.args])
        return proto(self.address)

    def c_call(self, *args) -> int:
        return 0 if self.native_only else self.c_function(*args)

    def __str__(self) -> str:
        return self.name


FLOAT_NEW = ApiCall("PyFloat_FromDouble", "f")
INT_NEW = ApiCall("PyLong_FromLongLong", "i")
BOOL_NEW = ApiCall("PyBool_FromLong", "i")
LIST_SETITEM = ApiCall("PyList_SetItem", "iii")   # steals the item, releases the old one
LIST_APPEND = ApiCall("PyList_Append", "ii")      # takes a new reference to the item
DECREF = ApiCall("Py_DecRef", "i")
GIL_RELEASE = ApiCall("PyEval_SaveThread", "", native_only=True)      # -> thread state
GIL_ACQUIRE = ApiCall("PyEval_RestoreThread", "i", native_only=True)  # (thread state)
