"""Native executor: map a CodeImage into executable memory and call it through ctypes.

    mmap(RW) ─► copy code ─► mprotect(RX) ─► CFUNCTYPE(int64, int64*) ─► run(frame)

Pages are never writable and executable at once: ``patch`` flips them back to RW
(not executable) for the write and to RX afterwards.  ctypes releases the GIL for
the call, so another thread can set the interrupt word ``frame[0]`` while a loop runs.
"""
from __future__ import annotations

import ctypes
import mmap
import os
import platform
import struct
from typing import Iterable, Sequence

from ..jit.backend.image import CodeImage

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
_HOST = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "aarch64", "arm64": "aarch64"}


def _check(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def host_arch() -> str:
    return _HOST.get(platform.machine().lower(), platform.machine().lower())


class NativeCode:
    """One CodeImage loaded into this process."""

    def __init__(self, image: CodeImage) -> None:
        if image.arch != host_arch():
            raise ValueError(f"cannot run {image.arch} code natively on {host_arch()}")
        self.image = image
        self.size = max(PAGE, -(-len(image.code) // PAGE) * PAGE)
        addr = _mmap(None, self.size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        if addr is None or addr == ctypes.c_void_p(-1).value:
            err = ctypes.get_errno()
            raise OSError(err, f"mmap: {os.strerror(err)}")
        self.address: int | None = addr
        ctypes.memmove(addr, image.code, len(image.code))
        self._protect(PROT_READ | PROT_EXEC)
        self._fn = LOOP_FUNC(addr + image.entry)

    def _protect(self, prot: int) -> None:
        _check(_mprotect(self.address, self.size, prot), "mprotect")

    @property
    def alive(self) -> bool:
        return self.address is not None

    def run(self, frame: ctypes.Array) -> int:
        """Call the loop on ``frame`` (a ctypes c_int64 array); returns the exit code."""
        if self.address is None:
            raise RuntimeError("code has been freed")
        if not isinstance(frame, ctypes.Array) or frame._type_ is not ctypes.c_int64:
            raise TypeError("frame must be a ctypes array of c_int64")
        if len(frame) < self.image.frame_slots:
            raise ValueError(f"frame has {len(frame)} slots, the code needs "
                             f"{self.image.frame_slots}")
        return self._fn(frame)

    def make_frame(self, values: Sequence[int | float] = (), kinds: str | None = None
                   ) -> ctypes.Array:
        """A zeroed frame big enough for this code, with ``values`` at slots 1, 2, ..."""
        frame = (ctypes.c_int64 * max(self.image.frame_slots, 1 + len(values)))()
        store(frame, values, kinds)
        return frame

    def patch(self, offset: int, data: bytes) -> None:
        """Overwrite code bytes (bridges): RW without X for the write, then RX again."""
        if self.address is None:
            raise RuntimeError("code has been freed")
        if offset < 0 or offset + len(data) > len(self.image.code):
            raise ValueError("patch outside the code")
        self._protect(PROT_READ | PROT_WRITE)
        try:
            ctypes.memmove(self.address + offset, data, len(data))
        finally:
            self._protect(PROT_READ | PROT_EXEC)

    def patch_guard(self, guard_index: int, target_address: int) -> None:
        """Send guard ``guard_index``'s branch to ``target_address`` (a bridge)."""
        offset, data = self.image.patch_guard(guard_index, target_address, self.address)
        self.patch(offset, data)

    def free(self) -> None:
        """Unmap the code (idempotent)."""
        if self.address is not None:
            addr, self.address = self.address, None
            self._fn = None
            _check(_munmap(addr, self.size), "munmap")

    def __enter__(self) -> "NativeCode":
        return self

    def __exit__(self, *exc: object) -> None:
        self.free()

    def __del__(self) -> None:
        try:
            self.free()
        except Exception:
            pass


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
