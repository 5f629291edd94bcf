"""Backends: trace IR -> machine code (``CodeImage``).

``compile_trace(trace, arch)`` picks the architecture's assembler; the register
allocator (``regalloc``) and the image format (``image``) are shared.
``compile_bridge(...)`` assembles a bridge: a trace attached to one guard of a loop
or of another bridge (protocol and exit numbering: ``image``).
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


def _resolve_arch(arch: str) -> str:
    return host_arch() if arch == "host" else arch


def compile_trace(trace: "Trace", arch: str = "x86_64") -> "CodeImage":
    """Assemble ``trace`` for ``arch`` ("x86_64", "aarch64" or "host")."""
    arch = _resolve_arch(arch)
    if arch == "x86_64":
        from .x86_64.assembler import assemble
    elif arch == "aarch64":
        from .aarch64.assembler import assemble
    else:
        raise ValueError(f"unknown architecture {arch!r}")
    return assemble(trace)


def compile_bridge(bridge: "Trace", parent_image: "CodeImage", parent_address: int,
                   guard_index: int, first_exit: int, loop_image: "CodeImage | None" = None,
                   loop_address: int | None = None, arch: str = "x86_64") -> "CodeImage":
    """Assemble ``bridge`` for guard ``guard_index`` of ``parent_image``.

    ``parent_image`` is a loop loaded at ``parent_address`` or a bridge (which records
    the loop it runs in; ``parent_address`` is then unused).  The bridge's inputs are
    that guard's ``snapshot.fail_args()`` in order; it ends with ``jump`` (arguments
    matching the loop's label: the loop goes on) or ``finish``.  Its own guards exit
    with ``first_exit + i``.  ``loop_image``/``loop_address`` are optional and only
    checked against the parent's records.  Attach the result with
    ``NativeCode.attach_bridge`` (or ``patch_guard`` on the parent's code).

    For compatibility with ``compile_bridge(bridge, loop_image, loop_address, guard,
    first_exit, arch)`` a string in ``loop_image``'s place is taken as ``arch``.
    """
    if isinstance(loop_image, str):
        arch, loop_image = loop_image, None
    arch = _resolve_arch(arch)
    if arch == "x86_64":
        from .x86_64.assembler import assemble_bridge
    elif arch == "aarch64":
        from .aarch64.assembler import assemble_bridge
    else:
        raise ValueError(f"unknown architecture {arch!r}")
    if parent_image.arch != arch:
        raise ValueError(f"parent image is {parent_image.arch} code, not {arch}")
    return assemble_bridge(bridge, parent_image, parent_address, guard_index, first_exit,
                           loop_image, loop_address)
