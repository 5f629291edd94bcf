"""Machine code disassembly (capstone, imported on first use) for listings and tests."""
from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=None)
def _decoder(arch: str):
    import capstone as cs

    if arch == "x86_64":
        return cs.Cs(cs.CS_ARCH_X86, cs.CS_MODE_64)
    if arch == "aarch64":
        a64 = getattr(cs, "CS_ARCH_AARCH64", None) or getattr(cs, "CS_ARCH_ARM64")
        return cs.Cs(a64, cs.CS_MODE_ARM)
    raise ValueError(f"unknown architecture {arch!r}")


def disassemble(code: bytes, arch: str, base: int = 0) -> list[tuple[int, bytes, str, str]]:
    """``(offset, bytes, mnemonic, operands)`` for each instruction of ``code``.

    Bytes that do not decode are listed one unit at a time (a byte on x86_64, a
    word on aarch64) as ``.byte``/``.word`` so that decoding goes on after them.
    """
    md = _decoder(arch)
    unit = 1 if arch == "x86_64" else 4
    out: list[tuple[int, bytes, str, str]] = []
    pos = 0
    while pos < len(code):
        for addr, size, mnem, ops in md.disasm_lite(code[pos:], base + pos):
            off = addr - base
            out.append((off, bytes(code[off:off + size]), mnem, ops))
            pos = off + size
        if pos < len(code):     # capstone stopped at bytes it cannot decode
            raw = bytes(code[pos:pos + unit])
            if unit == 1:
                out.append((pos, raw, ".byte", f"0x{raw[0]:02x}"))
            else:
                word = int.from_bytes(raw.ljust(4, bytes(1)), "little")
                out.append((pos, raw, ".word", f"0x{word:08x}"))
            pos += len(raw)
    return out
