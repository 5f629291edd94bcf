"""The machine-code targets every backend test runs on, as one shared fixture.

    x86_64-native     the x86_64 backend's code called through ctypes (x86_64 hosts)
    x86_64-unicorn    the same code in the Unicorn emulator
    aarch64-unicorn   the AArch64 backend's code in the Unicorn emulator

A test module imports ``target`` (the fixture) and writes its tests once against
``Target``: ``target.compile(trace)``, ``target.load(image)`` (a ``NativeCode`` or a
``UnicornCode``: the same interface), ``target.same(kind, a, b)``.  Like PyPy's
backend runner tests, the same test body checks every backend.
"""
from __future__ import annotations

import math
import struct

import pytest

from jitnb.jit.backend import compile_bridge, compile_trace, host_arch


# Shared traces: a counted sum (leaves by guard 0 when i reaches n) and a loop that
# never leaves by a guard (i1 only grows), only by the interrupt word.
SUM_LOOP = """
label(i0, i1, i2)
i3 = int_add(i2, i0)
i4 = int_add(i0, 1)
i5 = int_lt(i4, i1)
guard_true(i5) [snap 0: i=i4 n=i1 s=i3 @line 1]
jump(i4, i1, i3)
"""
ENDLESS = """
label(i0, i1, f2)
i3 = int_add(i0, 1)
i4 = int_add(i1, i0)
f5 = float_add(f2, 1.0)
i6 = int_ge(i3, 0)
guard_true(i6) [snap 0: i=i0 @line 1]
jump(i3, i4, f5)
"""



def define_values(lines: list[str], k: int, n: int, prefix: str, expr) -> tuple[list[str], int]:
    """Append ``n`` trace lines ``<prefix><k> = expr(j)``; returns the names defined and
    the next free number (traces with many values live at once)."""
    names = []
    for j in range(n):
        lines.append(f"{prefix}{k} = {expr(j)}")
        names.append(f"{prefix}{k}")
        k += 1
    return names, k


def fold_values(lines: list[str], k: int, acc: str, values, prefix: str, op: str
                ) -> tuple[str, int]:
    """Append ``acc = op(acc, v)`` for each of ``values``; returns the last accumulator
    and the next free number."""
    for v in values:
        lines.append(f"{prefix}{k} = {op}({acc}, {v})")
        acc = f"{prefix}{k}"
        k += 1
    return acc, k

class Target:
    def __init__(self, arch: str, emulated: bool) -> None:
        self.arch = arch
        self.emulated = emulated
        self.name = f"{arch}-{'unicorn' if emulated else 'native'}"

    def __repr__(self) -> str:
        return self.name

    @property
    def nan_exact(self) -> bool:
        """Whether NaN payloads are bit-exact.  Unicorn's x86 (QEMU 5) picks the NaN of
        a two-NaN SSE operation by x87 rules (larger payload), where real x86 takes the
        first operand: that one target compares NaNs by being NaN."""
        return not (self.emulated and self.arch == "x86_64")

    def compile(self, trace):
        return compile_trace(trace, self.arch)

    def compile_bridge(self, *args, **kw):
        return compile_bridge(*args, arch=self.arch, **kw)

    def load(self, image, near=None):
        assert image.arch == self.arch, (image.arch, self.arch)
        if self.emulated:
            from jitnb.emu.unicorn_exec import UnicornCode
            return UnicornCode(image, near=near)
        from jitnb.emu.native import NativeCode
        return NativeCode(image, near=near)

    def same(self, kind: str, a, b) -> bool:
        if kind != "f":
            return a == b
        if struct.pack("<d", a) == struct.pack("<d", b):
            return True
        return not self.nan_exact and math.isnan(a) and math.isnan(b)

    def same_slot(self, a: int, b: int) -> bool:
        """Two frame slots of unknown kind: equal, or (NaN-inexact target) both NaNs."""
        if a == b:
            return True
        if self.nan_exact:
            return False
        f = [struct.unpack("<d", struct.pack("<q", v))[0] for v in (a, b)]
        return math.isnan(f[0]) and math.isnan(f[1])


TARGETS = [Target("x86_64", False), Target("x86_64", True), Target("aarch64", True)]


def skip_unavailable(t: Target) -> None:
    if not t.emulated and t.arch != host_arch():
        pytest.skip(f"runs {t.arch} code natively")
    if t.emulated:
        pytest.importorskip("unicorn")


@pytest.fixture(params=TARGETS, ids=lambda t: t.name)
def target(request) -> Target:
    skip_unavailable(request.param)
    return request.param
