"""Native executor: map a CodeImage into executable memory and call it through ctypes.

    mmap(RW) ─► copy code ─► mprotect(RX) ─► CFUNCTYPE(int64, int64*) ─► run(frame)

Pages are never writable and executable at once: ``patch`` flips the pages it
writes back to RW (not executable) for the write and to RX afterwards.  So code must
not be patched while it runs (a thread inside those pages would fault): ``patch``
refuses while a ``run`` of this code is in progress.  ctypes releases the GIL for the
call, so another thread can set the interrupt word ``frame[0]`` while a loop runs;
code that reads Python objects (``image.holds_gil``) is called with the GIL held
instead, and hands it over by leaving at its header now and then.

Bridges: ``attach_bridge(guard, bridge_code, root)`` patches a guard of this code (a
loop or a bridge) to go to ``bridge_code``, keeps the bridge mapped as long as this
code is, and raises the frame size ``root`` (the loop the tree runs from) requires
to cover the bridge's exits.  Bridges are mapped near their loop when the kernel
allows it (``near``) so that guards can branch to them directly.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import mmap
import os
import platform
import struct
from typing import Iterable, Sequence

from ..jit.backend.image import CodeImage
from .loaded import LoadedCode

PROT_READ, PROT_WRITE, PROT_EXEC = 1, 2, 4
MAP_PRIVATE, MAP_ANONYMOUS = 0x02, 0x20
PAGE = mmap.PAGESIZE

_libc = ctypes.CDLL(None, use_errno=True)
_mmap = _libc.mmap
_mmap.restype = ctypes.c_void_p
_mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
                  ctypes.c_int, ctypes.c_long]
_mprotect = _libc.mprotect
_mprotect.restype = ctypes.c_int
_mprotect.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
_munmap = _libc.munmap
_munmap.restype = ctypes.c_int
_munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]

LOOP_FUNC = ctypes.CFUNCTYPE(ctypes.c_int64, ctypes.POINTER(ctypes.c_int64))
LOOP_FUNC_GIL = ctypes.PYFUNCTYPE(ctypes.c_int64, ctypes.POINTER(ctypes.c_int64))
_HOST = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "aarch64", "arm64": "aarch64"}


def _check(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def host_arch() -> str:
    return _HOST.get(platform.machine().lower(), platform.machine().lower())


def host_mappings() -> list[tuple[int, int, str]]:
    """(start, end, perms) of every mapping of this process (/proc/self/maps)."""
    out = []
    with open("/proc/self/maps") as f:
        for line in f:
            addr, perms = line.split()[:2]
            lo, hi = (int(x, 16) for x in addr.split("-"))
            out.append((lo, hi, perms))
    return out


_CLEAR_CACHE: list = []


def flush_icache(address: int, size: int) -> None:
    """Make freshly written code visible to instruction fetch.  x86 keeps its caches
    coherent; AArch64 needs the data cache cleaned and the instruction cache
    invalidated (libgcc's ``__clear_cache``) before the bytes run."""
    if host_arch() != "aarch64":
        return
    if not _CLEAR_CACHE:
        fn = None
        for name in ("libgcc_s.so.1", ctypes.util.find_library("gcc_s")):
            try:
                fn = getattr(ctypes.CDLL(name), "__clear_cache")
                break
            except (OSError, AttributeError, TypeError):
                continue
        if fn is not None:
            fn.restype, fn.argtypes = None, [ctypes.c_void_p, ctypes.c_void_p]
        _CLEAR_CACHE.append(fn)
    fn = _CLEAR_CACHE[0]
    if fn is None:
        raise OSError("no __clear_cache to make AArch64 code visible")
    fn(address, address + size)


class NativeCode(LoadedCode):
    """One CodeImage loaded into this process."""

    def __init__(self, image: CodeImage, near: int | None = None) -> None:
        if image.arch != host_arch():
            raise ValueError(f"cannot run {image.arch} code natively on {host_arch()}")
        self._load(image, PAGE)
        hint = None
        if near is not None:        # a hint only: the kernel maps elsewhere if it must
            hint = max(PAGE, (near - 64 * self.size) & ~(PAGE - 1))
        addr = _mmap(hint, self.size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        if addr is None or addr == ctypes.c_void_p(-1).value:
            err = ctypes.get_errno()
            raise OSError(err, f"mmap: {os.strerror(err)}")
        self.address = addr
        ctypes.memmove(addr, image.code, len(image.code))
        flush_icache(addr, len(image.code))
        self._protect(PROT_READ | PROT_EXEC)
        self._fn = (LOOP_FUNC_GIL if image.holds_gil else LOOP_FUNC)(addr + image.entry)

    def _protect(self, prot: int, offset: int = 0, length: int | None = None) -> None:
        """mprotect the pages covering ``[offset, offset + length)`` (default: all)."""
        if length is None:
            start, end = 0, self.size
        else:
            start = offset & ~(PAGE - 1)
            end = -(-(offset + length) // PAGE) * PAGE
        _check(_mprotect(self.address + start, end - start, prot), "mprotect")

    def run(self, frame: ctypes.Array) -> int:
        """Call the loop on ``frame`` (a ctypes c_int64 array); returns the exit code."""
        return self._run_checked(frame, self._fn)

    def make_frame(self, values: Sequence[int | float] = (), kinds: str | None = None
                   ) -> ctypes.Array:
        """A zeroed frame big enough for this code, with ``values`` at slots 1, 2, ..."""
        frame = (ctypes.c_int64 * max(self.frame_slots, 1 + len(values)))()
        store(frame, values, kinds)
        return frame

    def _patch_bytes(self, offset: int, data: bytes) -> None:
        """RW without X for the write, then RX again."""
        self._protect(PROT_READ | PROT_WRITE, offset, len(data))
        try:
            ctypes.memmove(self.address + offset, data, len(data))
            flush_icache(self.address + offset, len(data))
        finally:
            self._protect(PROT_READ | PROT_EXEC, offset, len(data))

    def _unmap(self, addr: int) -> None:
        self._fn = None
        _check(_munmap(addr, self.size), "munmap")


# -- frame values --------------------------------------------------------------------------
def to_slot(value: int | float, kind: str) -> int:
    """A value as the signed 64-bit slot the machine code reads."""
    if kind == "f":
        return struct.unpack("<q", struct.pack("<d", value))[0]
    value &= (1 << 64) - 1
    return value - (1 << 64) if value >> 63 else value


def from_slot(bits: int, kind: str) -> int | float:
    if kind == "f":
        return struct.unpack("<d", struct.pack("<q", bits))[0]
    return bits


def store(frame: ctypes.Array, values: Iterable[int | float], kinds: str | None = None) -> None:
    """frame[1 + k] := values[k] (kinds per value: "i"/"f", default from the Python type)."""
    for k, v in enumerate(values):
        kind = kinds[k] if kinds is not None else ("f" if isinstance(v, float) else "i")
        frame[1 + k] = to_slot(v, kind)


def load(frame: ctypes.Array, kinds: str) -> list[int | float]:
    """The values at frame[1], frame[2], ... read as ``kinds``."""
    return [from_slot(frame[1 + k], kind) for k, kind in enumerate(kinds)]
