"""Backends: trace IR -> machine code (``CodeImage``).

``compile_trace(trace, arch)`` picks the architecture's assembler; the register
allocator (``regalloc``) and the image format (``image``) are shared.
"""
from __future__ import annotations

import platform
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..ir.trace import Trace
    from .image import CodeImage

_HOST = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "aarch64", "arm64": "aarch64"}


def host_arch() -> str:
    """The machine's architecture in backend terms ("x86_64" or "aarch64")."""
    return _HOST.get(platform.machine().lower(), platform.machine().lower())


def compile_trace(trace: "Trace", arch: str = "x86_64") -> "CodeImage":
    """Assemble ``trace`` for ``arch`` ("x86_64", "aarch64" or "host")."""
    if arch == "host":
        arch = host_arch()
    if arch == "x86_64":
        from .x86_64.assembler import assemble
    elif arch == "aarch64":
        try:
            from .aarch64.assembler import assemble  # type: ignore[import-not-found]
        except ImportError as e:
            raise NotImplementedError("the aarch64 assembler is not available") from e
    else:
        raise ValueError(f"unknown architecture {arch!r}")
    return assemble(trace)
