"""Table-driven x86_64 instruction encoder.

Instruction builders are methods ``MNEMONIC_<operand codes>`` of
``X86Encoder``; operands are 64-bit unless the mnemonic carries a width
(``MOV32``, ``MOVZX8``, ...).  Operand codes: ``r`` GPR, ``x`` XMM register,
``i`` immediate, ``m`` memory ``[base + disp]`` (two args: base, disp),
``a`` memory ``[base + index*scale + disp]`` (four args), ``j`` rel32
displacement counted from the end of the instruction, ``cl`` the CL shift
count (no argument).  ``SETcc``/``CMOVcc``/``Jcc`` take the condition code
nibble as their first argument.

Most methods are generated from ``FORMS`` (prefix, opcode, ModRM.reg use,
immediate kind); the rest pick between encodings and are written out.  All
share one emitter that computes REX and the ModRM/SIB/displacement bytes.
Where a choice exists the shortest encoding is used (disp8, imm8,
accumulator short forms, ``mov r32, imm32``).

Every method returns the offset of its first byte, except ``j`` forms, which
return the offset of their 4-byte displacement field (see ``patch_rel32``).
Invalid operands raise ``EncodingError`` (a ``ValueError``) before anything
is emitted.
"""

from __future__ import annotations

import inspect
import struct
from typing import Callable, NamedTuple

from jitnb.jit.backend.x86_64.registers import RAX, RSP

INT8 = (-(1 << 7), (1 << 7) - 1)
INT32 = (-(1 << 31), (1 << 31) - 1)
UINT8 = (0, 0xFF)
SCALE_BITS = {1: 0, 2: 1, 4: 2, 8: 3}


class EncodingError(ValueError):
    """An operand is out of range or cannot be encoded."""


def _int(value: object, lo: int, hi: int, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
        raise EncodingError(f"{what} {value!r} not in [{lo}, {hi}]")
    return value


def _reg(value: object) -> int:
    return _int(value, 0, 15, "register")


def _fits(value: int, bounds: tuple[int, int]) -> bool:
    return bounds[0] <= value <= bounds[1]


class Mem(NamedTuple):
    """A memory operand ``[base + index*scale + disp]`` (index may be None)."""

    base: int
    index: int | None
    scale: int
    disp: int


def mem(base: object, disp: object, index: object = None, scale: object = 1) -> Mem:
    """Validate and build a memory operand."""
    if index is not None and _reg(index) == RSP:
        raise EncodingError("RSP cannot be an index register")
    if _int(scale, 1, 8, "scale") not in SCALE_BITS:
        raise EncodingError(f"scale {scale!r} not in 1/2/4/8")
    return Mem(_reg(base), index, scale, _int(disp, *INT32, "displacement"))  # type: ignore[arg-type]


def modrm(reg: int, rm: int | Mem) -> tuple[int, bytes]:
    """Encode ModRM (+SIB, +displacement); returns (REX.X/B bits, bytes).

    ``rm`` is a register number (register-direct) or a ``Mem``.  A base of
    RSP/R12 needs a SIB byte; a base of RBP/R13 has no displacement-free
    form, so it gets a zero disp8.
    """
    if isinstance(rm, int):
        return rm >> 3, bytes([0xC0 | (reg & 7) << 3 | (rm & 7)])
    base, index, scale, disp = rm
    rex = base >> 3 | (0 if index is None else (index >> 3) << 1)
    if disp == 0 and base & 7 != 5:
        mod, tail = 0, b""
    elif _fits(disp, INT8):
        mod, tail = 1, struct.pack("<b", disp)
    else:
        mod, tail = 2, struct.pack("<i", disp)
    head = mod << 6 | (reg & 7) << 3
    if index is None and base & 7 != 4:
        return rex, bytes([head | base & 7]) + tail
    sib_index = 4 if index is None else index & 7  # index field 100 = none
    sib = SCALE_BITS[scale] << 6 | sib_index << 3 | base & 7
    return rex, bytes([head | 4, sib]) + tail


class Form(NamedTuple):
    """One table-driven instruction form."""

    opcode: bytes
    digit: int | None = None  # ModRM.reg opcode extension (/digit); None: /r
    w: bool = True  # REX.W (64-bit operand size)
    prefix: bytes = b""  # operand-size or mandatory SSE prefix
    imm: str = ""  # "" none, "b" int8, "ub" uint8, "d" int32
    rm_first: bool = False  # register-register form: first operand in ModRM.rm
    byte_regs: bool = False  # register operands are 8-bit (SPL..DIL need REX)


IMM_KINDS: dict[str, tuple[str, tuple[int, int]]] = {
    "b": ("<b", INT8), "ub": ("<B", UINT8), "d": ("<i", INT32),
}

# Two-operand integer ALU: name -> (/digit of the immediate forms,
# opcode of "op r/m64, r64", opcode of "op r64, r/m64").  The accumulator
# short form "op rax, imm32" is opcode digit << 3 | 5.
ALU: dict[str, tuple[int, int, int]] = {
    "ADD": (0, 0x01, 0x03),
    "OR": (1, 0x09, 0x0B),
    "AND": (4, 0x21, 0x23),
    "SUB": (5, 0x29, 0x2B),
    "XOR": (6, 0x31, 0x33),
    "CMP": (7, 0x39, 0x3B),
}

# Shifts: name -> /digit (D3 by CL, D1 by one, C1 by imm8).
SHIFTS: dict[str, int] = {"SHL": 4, "SHR": 5, "SAR": 7}

# Instructions without operands.
FIXED: dict[str, bytes] = {
    "RET": b"\xc3", "NOP": b"\x90", "UD2": b"\x0f\x0b", "INT3": b"\xcc",
    "CQO": b"\x48\x99",
}


def _sse(prefix: int, *opcode: int, w: bool = False, imm: str = "",
         rm_first: bool = False) -> Form:
    return Form(bytes((0x0F, *opcode)), w=w, prefix=bytes([prefix]), imm=imm,
                rm_first=rm_first)


_MOVSD_LOAD, _MOVSD_STORE = _sse(0xF2, 0x10), _sse(0xF2, 0x11)
_MOVSS_LOAD, _MOVSS_STORE = _sse(0xF3, 0x10), _sse(0xF3, 0x11)

FORMS: dict[str, Form] = {
    # 64-bit moves
    "MOV_rr": Form(b"\x89", rm_first=True),
    "MOV_rm": Form(b"\x8b"), "MOV_ra": Form(b"\x8b"),
    "MOV_mr": Form(b"\x89"), "MOV_ar": Form(b"\x89"),
    "MOV_mi": Form(b"\xc7", 0, imm="d"),
    # narrow loads and stores
    "MOV32_rm": Form(b"\x8b", w=False), "MOV32_ra": Form(b"\x8b", w=False),
    "MOV32_mr": Form(b"\x89", w=False), "MOV32_ar": Form(b"\x89", w=False),
    "MOVSXD_rm": Form(b"\x63"), "MOVSXD_ra": Form(b"\x63"),
    "MOVZX8_rr": Form(b"\x0f\xb6", byte_regs=True),
    "MOVZX8_ra": Form(b"\x0f\xb6"), "MOVSX8_ra": Form(b"\x0f\xbe"),
    "MOVZX16_ra": Form(b"\x0f\xb7"), "MOVSX16_ra": Form(b"\x0f\xbf"),
    "MOV8_ar": Form(b"\x88", w=False, byte_regs=True),
    "MOV16_ar": Form(b"\x89", w=False, prefix=b"\x66"),
    # arithmetic
    **{f"{op}_rr": Form(bytes([rr]), rm_first=True) for op, (_, rr, _) in ALU.items()},
    **{f"{op}_rm": Form(bytes([rm])) for op, (_, _, rm) in ALU.items()},
    "TEST_rr": Form(b"\x85", rm_first=True),
    "IMUL_rr": Form(b"\x0f\xaf"),
    "NEG_r": Form(b"\xf7", 3), "NOT_r": Form(b"\xf7", 2), "IDIV_r": Form(b"\xf7", 7),
    **{f"{op}_rcl": Form(b"\xd3", digit) for op, digit in SHIFTS.items()},
    "LEA_rm": Form(b"\x8d"), "LEA_ra": Form(b"\x8d"),
    # indirect control flow
    "JMP_r": Form(b"\xff", 4, w=False), "CALL_r": Form(b"\xff", 2, w=False),
    # SSE2 scalar double (and a few single) precision
    "MOVSD_xm": _MOVSD_LOAD, "MOVSD_xa": _MOVSD_LOAD, "MOVSD_xx": _MOVSD_LOAD,
    "MOVSD_mx": _MOVSD_STORE, "MOVSD_ax": _MOVSD_STORE,
    "MOVSS_xa": _MOVSS_LOAD, "MOVSS_ax": _MOVSS_STORE,
    "MOVAPD_xx": _sse(0x66, 0x28),
    "ADDSD_xx": _sse(0xF2, 0x58), "MULSD_xx": _sse(0xF2, 0x59),
    "SUBSD_xx": _sse(0xF2, 0x5C), "DIVSD_xx": _sse(0xF2, 0x5E),
    "MINSD_xx": _sse(0xF2, 0x5D), "MAXSD_xx": _sse(0xF2, 0x5F),
    "SQRTSD_xx": _sse(0xF2, 0x51),
    "UCOMISD_xx": _sse(0x66, 0x2E), "COMISD_xx": _sse(0x66, 0x2F),
    "XORPD_xx": _sse(0x66, 0x57), "ANDPD_xx": _sse(0x66, 0x54),
    "CVTSI2SD_xr": _sse(0xF2, 0x2A, w=True), "CVTTSD2SI_rx": _sse(0xF2, 0x2C, w=True),
    "MOVQ_xr": _sse(0x66, 0x6E, w=True), "MOVQ_rx": _sse(0x66, 0x7E, w=True, rm_first=True),
    "CVTSS2SD_xx": _sse(0xF3, 0x5A), "CVTSD2SS_xx": _sse(0xF2, 0x5A),
    "ROUNDSD_xxi": _sse(0x66, 0x3A, 0x0B, imm="ub"),
}


def operand_codes(name: str) -> list[str]:
    """Split a method name's operand codes: ``"MOV_ra"`` -> ``["r", "a"]``."""
    codes = name.partition("_")[2]
    out: list[str] = []
    while codes:
        step = 2 if codes.startswith("cl") else 1
        out.append(codes[:step])
        codes = codes[step:]
    return out


_PARAMS = {"m": ["base", "disp"], "a": ["base", "index", "scale", "disp"],
           "i": ["imm"], "j": ["rel32"], "cl": []}


def param_names(name: str) -> list[str]:
    """Argument names of an instruction method, derived from its name."""
    codes = operand_codes(name)
    names = ["cc"] if name.partition("_")[0].endswith("cc") else []
    seen_mem = False
    for c in codes:
        if c in ("r", "x"):
            if seen_mem or "dst" in names:
                names.append("src")
            else:
                names.append("dst" if len(codes) > 1 else "reg")
        else:
            seen_mem |= c in "ma"
            names += _PARAMS[c]
    return names


class X86Encoder:
    """Append-only x86_64 machine code buffer with one method per form."""

    def __init__(self) -> None:
        self.buf = bytearray()

    @property
    def pos(self) -> int:
        """Offset at which the next instruction will be emitted."""
        return len(self.buf)

    def bytes(self) -> bytes:
        """The code emitted so far."""
        return bytes(self.buf)

    def patch_rel32(self, at: int, target: int) -> None:
        """Point the rel32 field at offset ``at`` (relative to its end) to ``target``."""
        _int(at, 0, len(self.buf) - 4, "rel32 field offset")
        rel = _int(target - (at + 4), *INT32, "rel32")
        self.buf[at:at + 4] = struct.pack("<i", rel)

    # -- emitters ----------------------------------------------------------

    def _put(self, code: bytes | bytearray) -> int:
        start = len(self.buf)
        self.buf += code
        return start

    def _emit(self, opcode: bytes, reg: int, rm: int | Mem, *, w: bool = True,
              prefix: bytes = b"", tail: bytes = b"", force_rex: bool = False) -> int:
        """prefix, REX, opcode, ModRM[, SIB][, disp], tail (immediate)."""
        xb, addr = modrm(reg, rm)
        rex = w << 3 | (reg >> 3) << 2 | xb
        rex_byte = bytes([0x40 | rex]) if rex or force_rex else b""
        return self._put(prefix + rex_byte + opcode + addr + tail)

    def _emit_plus(self, opcode: int, reg: int, *, w: bool = True, tail: bytes = b"") -> int:
        """Opcode with the register in its low 3 bits (REX.B for r8..r15)."""
        rex = w << 3 | reg >> 3
        return self._put((bytes([0x40 | rex]) if rex else b"") + bytes([opcode | reg & 7]) + tail)

    def _form(self, form: Form, codes: list[str], args: tuple) -> int:
        regs: list[int] = []
        rm_mem: Mem | None = None
        tail = b""
        k = 0
        for c in codes:
            if c == "m":
                rm_mem = mem(args[k], args[k + 1])
                k += 2
            elif c == "a":
                index = _reg(args[k + 1])  # required in "a" forms
                rm_mem = mem(args[k], args[k + 3], index, args[k + 2])
                k += 4
            elif c == "i":
                fmt, bounds = IMM_KINDS[form.imm]
                tail = struct.pack(fmt, _int(args[k], *bounds, "immediate"))
                k += 1
            elif c != "cl":
                regs.append(_reg(args[k]))
                k += 1
        rm: int | Mem
        if form.digit is not None:
            reg, rm = form.digit, rm_mem if rm_mem is not None else regs[0]
        elif rm_mem is not None:
            reg, rm = regs[0], rm_mem
        else:
            reg, rm = reversed(regs) if form.rm_first else regs
        force = form.byte_regs and any(4 <= r < 8 for r in regs)
        return self._emit(form.opcode, reg, rm, w=form.w, prefix=form.prefix,
                          tail=tail, force_rex=force)

    def _rel32(self, opcode: bytes, rel32: int) -> int:
        start = self._put(opcode + struct.pack("<i", _int(rel32, *INT32, "rel32")))
        return start + len(opcode)

    # -- forms that choose between encodings ---------------------------------

    def MOV_ri(self, dst: int, imm: int) -> int:
        """Load a 64-bit constant (values >= 2**63 are taken as bit patterns)."""
        dst = _reg(dst)
        imm = _int(imm, -(1 << 63), (1 << 64) - 1, "immediate")
        if imm >= 1 << 63:
            imm -= 1 << 64
        if 0 <= imm <= 0xFFFFFFFF:  # mov r32, imm32 (zero-extends)
            return self._emit_plus(0xB8, dst, w=False, tail=struct.pack("<I", imm))
        if _fits(imm, INT32):  # mov r/m64, simm32 (negative here)
            return self._emit(b"\xc7", 0, dst, tail=struct.pack("<i", imm))
        return self._emit_plus(0xB8, dst, tail=struct.pack("<q", imm))  # movabs

    def _alu_ri(self, digit: int, dst: int, imm: int) -> int:
        dst = _reg(dst)
        imm = _int(imm, *INT32, "immediate")
        if _fits(imm, INT8):
            return self._emit(b"\x83", digit, dst, tail=struct.pack("<b", imm))
        if dst == RAX:
            return self._emit_plus(digit << 3 | 5, 0, tail=struct.pack("<i", imm))
        return self._emit(b"\x81", digit, dst, tail=struct.pack("<i", imm))

    def _shift_ri(self, digit: int, dst: int, imm: int) -> int:
        dst = _reg(dst)
        if _int(imm, 0, 63, "shift count") == 1:
            return self._emit(b"\xd1", digit, dst)
        return self._emit(b"\xc1", digit, dst, tail=bytes([imm]))

    def TEST_ri(self, dst: int, imm: int) -> int:
        dst = _reg(dst)
        tail = struct.pack("<i", _int(imm, *INT32, "immediate"))
        if dst == RAX:
            return self._emit_plus(0xA9, 0, tail=tail)
        return self._emit(b"\xf7", 0, dst, tail=tail)

    def IMUL_rri(self, dst: int, src: int, imm: int) -> int:
        dst, src = _reg(dst), _reg(src)
        imm = _int(imm, *INT32, "immediate")
        if _fits(imm, INT8):
            return self._emit(b"\x6b", dst, src, tail=struct.pack("<b", imm))
        return self._emit(b"\x69", dst, src, tail=struct.pack("<i", imm))

    def SETcc_r(self, cc: int, reg: int) -> int:
        """Set the low byte of ``reg`` to 0/1 (upper bits unchanged)."""
        cc, reg = _int(cc, 0, 15, "condition code"), _reg(reg)
        return self._emit(bytes([0x0F, 0x90 | cc]), 0, reg, w=False, force_rex=4 <= reg < 8)

    def CMOVcc_rr(self, cc: int, dst: int, src: int) -> int:
        cc = _int(cc, 0, 15, "condition code")
        return self._emit(bytes([0x0F, 0x40 | cc]), _reg(dst), _reg(src))

    def PUSH_r(self, reg: int) -> int:
        return self._emit_plus(0x50, _reg(reg), w=False)

    def POP_r(self, reg: int) -> int:
        return self._emit_plus(0x58, _reg(reg), w=False)

    def Jcc_j(self, cc: int, rel32: int) -> int:
        cc = _int(cc, 0, 15, "condition code")
        return self._rel32(bytes([0x0F, 0x80 | cc]), rel32)

    def JMP_j(self, rel32: int) -> int:
        return self._rel32(b"\xe9", rel32)

    def CALL_j(self, rel32: int) -> int:
        return self._rel32(b"\xe8", rel32)


def _install(name: str, fn: Callable[..., int], params: list[str], doc: str) -> None:
    fn.__name__ = name
    fn.__qualname__ = f"X86Encoder.{name}"
    fn.__doc__ = doc
    fn.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
        + [inspect.Parameter(p, inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation="int")
           for p in params],
        return_annotation="int")
    setattr(X86Encoder, name, fn)


def _table_method(name: str, form: Form) -> None:
    codes, params = operand_codes(name), param_names(name)
    signature = inspect.Signature(
        [inspect.Parameter(p, inspect.Parameter.POSITIONAL_OR_KEYWORD) for p in params])

    done: dict[tuple, bytes] = {}    # operands -> bytes: the same instruction encodes once

    def method(self: X86Encoder, *args: int, **kwargs: int) -> int:
        if kwargs or len(args) != len(params):
            args = signature.bind(*args, **kwargs).args
        plain = all(type(a) is int for a in args)     # (True == 1 and 1.0 == 1 as keys)
        code = done.get(args) if plain else None
        if code is not None:
            return self._put(code)
        start = self._form(form, codes, args)
        if plain and len(done) < 4096:
            done[args] = bytes(self.buf[start:])
        return start

    reg = "/r" if form.digit is None else f"/{form.digit}"
    code = (form.prefix + (b"\x48" if form.w else b"") + form.opcode).hex(" ")
    _install(name, method, params, f"{name}: {code} {reg}{' ' + form.imm if form.imm else ''}")


def _fixed_method(name: str, code: bytes) -> None:
    def method(self: X86Encoder) -> int:
        return self._put(code)

    _install(name, method, [], f"{name}: {code.hex(' ')}")


def _digit_method(name: str, impl: Callable[..., int], digit: int) -> None:
    def method(self: X86Encoder, dst: int, imm: int) -> int:
        return impl(self, digit, dst, imm)

    _install(name, method, ["dst", "imm"], f"{name}: /{digit} with immediate")


for _name, _form in FORMS.items():
    _table_method(_name, _form)
for _name, _code in FIXED.items():
    _fixed_method(_name, _code)
for _op, (_digit, _, _) in ALU.items():
    _digit_method(f"{_op}_ri", X86Encoder._alu_ri, _digit)
for _op, _digit in SHIFTS.items():
    _digit_method(f"{_op}_ri", X86Encoder._shift_ri, _digit)
