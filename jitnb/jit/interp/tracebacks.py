"""Tracebacks for code jitnb ran inside inlined calls.

When an exception escapes a function whose body jitnb was running inline, the
user must still see that function's frame (file, line, name) in the traceback,
as CPython would show it.  We let CPython build those entries: a chain of tiny
code objects, each located at the frame's file and line and named after it, calls
the next and the last re-raises the exception; the extra plumbing frames are then
dropped from the traceback.
"""
from __future__ import annotations

import types

from .frame import Frame


def with_frames(exc: BaseException, frames: list[Frame]) -> BaseException:
    """`exc` with traceback entries for `frames` (outermost first) before its own."""
    if not frames:
        return exc
    own_tb = exc.__traceback__
    codes: list[types.CodeType] = []
    for f in frames:
        src = "\n" * (max(f.line, 1) - 1) + "_next()"
        codes.append(compile(src, f.unit.filename, "exec").replace(co_name=f.unit.name))

    def raiser():
        raise exc.with_traceback(None)

    nxt = raiser
    for code in reversed(codes):
        nxt = (lambda c, n: (lambda: exec(c, {"_next": n})))(code, nxt)
    try:
        nxt()
    except BaseException as e:  # noqa: BLE001 - it is `exc`
        tb = e.__traceback__
    wanted = set(codes)
    kept = []
    while tb is not None:
        if tb.tb_frame.f_code in wanted:
            kept.append(tb)
        tb = tb.tb_next
    new = own_tb
    for t in reversed(kept):
        new = types.TracebackType(new, t.tb_frame, t.tb_lasti, t.tb_lineno)
    return exc.with_traceback(new)
