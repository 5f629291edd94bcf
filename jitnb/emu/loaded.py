"""What the executors share: a CodeImage loaded somewhere, with its bridges.

``LoadedCode`` keeps the bookkeeping (image, address, frame size, running count,
attached bridges) and the checks around running, patching and freeing; a subclass
maps the code, writes patches (``_patch_bytes``), runs it and unmaps it (``_unmap``).
"""
from __future__ import annotations

import ctypes
from typing import Callable

from ..jit.backend.image import CodeImage


class LoadedCode:
    """One CodeImage loaded for an executor (``NativeCode``, ``UnicornCode``)."""

    address: int | None = None

    def _load(self, image: CodeImage, page: int) -> None:
        """The bookkeeping of a freshly loaded ``image`` (``size``: whole pages)."""
        self.image = image
        self.size = max(page, -(-len(image.code) // page) * page)
        self.frame_slots = image.frame_slots     # raised by attached bridges
        self.bridges: dict[int, LoadedCode] = {}
        self._running = 0

    def _live(self) -> int:
        if self.address is None:
            raise RuntimeError("code has been freed")
        return self.address

    @property
    def alive(self) -> bool:
        return self.address is not None

    @property
    def entry_address(self) -> int:
        """Address of the code's entry (what ``call_loop`` calls)."""
        return self._live() + self.image.entry

    def _run_checked(self, frame: ctypes.Array, call: Callable[[ctypes.Array], int]) -> int:
        """``call(frame)`` once ``frame`` fits this code, counted as running."""
        self._live()
        if not isinstance(frame, ctypes.Array) or frame._type_ is not ctypes.c_int64:
            raise TypeError("frame must be a ctypes array of c_int64")
        if len(frame) < self.frame_slots:
            raise ValueError(f"frame has {len(frame)} slots, the code needs "
                             f"{self.frame_slots}")
        self._running += 1
        try:
            return call(frame)
        finally:
            self._running -= 1

    def _check_patchable(self) -> None:
        self._live()
        if self._running:
            raise RuntimeError("cannot patch code while it runs")

    def patch(self, offset: int, data: bytes) -> None:
        """Overwrite code bytes (bridges); refused while the code runs."""
        self._live()
        if offset < 0 or offset + len(data) > len(self.image.code):
            raise ValueError("patch outside the code")
        self._check_patchable()
        self._patch_bytes(offset, data)

    def _patch_bytes(self, offset: int, data: bytes) -> None:
        raise NotImplementedError

    def patch_guard(self, guard_index: int, target_address: int,
                    absolute: bool | None = None) -> None:
        """Send guard ``guard_index``'s exit to ``target_address`` (a bridge): its
        branch directly when in range, else through an absolute jump written into its
        exit stub (``absolute=True`` forces that); see ``CodeImage.patch_guard``."""
        self._check_patchable()
        saved = self.image.code
        offset, data = self.image.patch_guard(guard_index, target_address, self.address,
                                              absolute)
        try:
            self.patch(offset, data)
        except BaseException:
            self.image.code = saved
            raise

    def _check_bridge(self, bridge: "LoadedCode") -> None:
        """Executor-specific checks on a bridge about to be attached."""

    def attach_bridge(self, guard_index: int, bridge: "LoadedCode",
                      root: "LoadedCode | None" = None, absolute: bool | None = None) -> None:
        """Patch guard ``guard_index`` of this code to enter ``bridge`` (compiled by
        ``compile_bridge`` for that guard).  ``root`` is the loop whose ``run`` the
        tree is entered by (default: this code); its required frame size grows to
        cover the bridge's exits.  The bridge stays mapped while this code is."""
        if not bridge.image.is_bridge:
            raise ValueError("not a bridge image")
        if bridge.address is None:
            raise RuntimeError("bridge code has been freed")
        self._check_bridge(bridge)
        self.patch_guard(guard_index, bridge.entry_address, absolute)
        self.bridges[guard_index] = bridge
        root = root or self
        root.frame_slots = max(root.frame_slots, bridge.image.frame_slots)

    def free(self) -> None:
        """Unmap the code (idempotent).  Attached bridges are released with it (they
        are freed when nothing else refers to them)."""
        if self.address is not None:
            self.bridges = {}
            addr, self.address = self.address, None
            self._unmap(addr)

    def _unmap(self, addr: int) -> None:
        raise NotImplementedError

    def __enter__(self):
        return self

    def __exit__(self, *exc: object) -> None:
        self.free()

    def __del__(self) -> None:
        try:
            self.free()
        except Exception:
            pass
