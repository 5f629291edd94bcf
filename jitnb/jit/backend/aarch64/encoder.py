"""Table-driven AArch64 (A64) instruction encoder.

Each instruction is a method ``MNEMONIC_<operand codes>`` that ORs checked
operand fields into an opcode base word from ``OPCODES`` and appends it
little-endian to ``buf``.  Operand codes: ``r`` X register, ``d``/``s`` D/S
register, ``i`` immediate, ``c`` condition code, ``m`` memory ``[base, #off]``
(two args), ``x`` memory ``[base, index{, lsl #n}]`` (three args: base, index,
scaled), ``j`` branch offset in bytes from the instruction itself.

Every method returns the byte offset of the first instruction it emitted.
Register number 31 means SP or XZR depending on the field; each method says
which (``31=SP`` / otherwise the zero register).  Operands out of range,
misaligned or unencodable raise ``EncodingError`` (a ``ValueError``).
"""

from __future__ import annotations

from collections.abc import Iterator

from jitnb.jit.backend.aarch64.registers import AL

MASK64 = (1 << 64) - 1

# Opcode base words: 64-bit (sf=1) / double-precision forms, fields zero.
OPCODES: dict[str, int] = {
    # add/sub, shifted register and immediate
    "ADD_rrr": 0x8B000000, "ADDS_rrr": 0xAB000000,
    "SUB_rrr": 0xCB000000, "SUBS_rrr": 0xEB000000,
    "ADD_rri": 0x91000000, "ADDS_rri": 0xB1000000,
    "SUB_rri": 0xD1000000, "SUBS_rri": 0xF1000000,
    # multiply / divide / variable shifts
    "MADD": 0x9B000000, "MSUB": 0x9B008000, "SMULH": 0x9B407C00,
    "SDIV": 0x9AC00C00, "UDIV": 0x9AC00800,
    "LSLV": 0x9AC02000, "LSRV": 0x9AC02400, "ASRV": 0x9AC02800,
    # logical, shifted register and immediate
    "AND_rrr": 0x8A000000, "ORR_rrr": 0xAA000000, "EOR_rrr": 0xCA000000,
    "ANDS_rrr": 0xEA000000, "ORN_rrr": 0xAA200000,
    "AND_rri": 0x92000000, "ORR_rri": 0xB2000000, "EOR_rri": 0xD2000000,
    # bitfield
    "UBFM": 0xD3400000, "SBFM": 0x93400000,
    # conditional select
    "CSEL": 0x9A800000, "CSINC": 0x9A800400, "CSNEG": 0xDA800400,
    # move wide
    "MOVN": 0x92800000, "MOVZ": 0xD2800000, "MOVK": 0xF2800000,
    # loads / stores: unsigned scaled imm12, unscaled simm9, register offset
    "LDR_x_uimm": 0xF9400000, "STR_x_uimm": 0xF9000000,
    "LDUR_x": 0xF8400000, "STUR_x": 0xF8000000,
    "LDR_d_uimm": 0xFD400000, "STR_d_uimm": 0xFD000000,
    "LDUR_d": 0xFC400000, "STUR_d": 0xFC000000,
    "LDR_x_reg": 0xF8606800, "STR_x_reg": 0xF8206800,
    "LDR_w_reg": 0xB8606800, "STR_w_reg": 0xB8206800,
    "LDRSW_reg": 0xB8A06800,
    "LDRH_reg": 0x78606800, "STRH_reg": 0x78206800, "LDRSH_reg": 0x78A06800,
    "LDRB_reg": 0x38606800, "STRB_reg": 0x38206800, "LDRSB_reg": 0x38A06800,
    "LDR_d_reg": 0xFC606800, "STR_d_reg": 0xFC206800,
    "LDR_s_reg": 0xBC606800, "STR_s_reg": 0xBC206800,
    "LDR_literal": 0x58000000,
    # load / store pair
    "LDP_off": 0xA9400000, "STP_off": 0xA9000000,
    "STP_pre": 0xA9800000, "LDP_post": 0xA8C00000,
    # branches and system
    "B": 0x14000000, "BL": 0x94000000, "B_cond": 0x54000000,
    "CBZ": 0xB4000000, "CBNZ": 0xB5000000,
    "BR": 0xD61F0000, "BLR": 0xD63F0000, "RET": 0xD65F03C0,
    "NOP": 0xD503201F, "BRK": 0xD4200000,
    # floating point (double unless noted)
    "FADD": 0x1E602800, "FSUB": 0x1E603800, "FMUL": 0x1E600800,
    "FDIV": 0x1E601800, "FMAX": 0x1E604800, "FMIN": 0x1E605800,
    "FMOV_dd": 0x1E604000, "FABS": 0x1E60C000, "FNEG": 0x1E614000,
    "FSQRT": 0x1E61C000,
    "FRINTN": 0x1E644000, "FRINTP": 0x1E64C000,
    "FRINTM": 0x1E654000, "FRINTZ": 0x1E65C000,
    "FCMP": 0x1E602000, "FCMP_zero": 0x1E602008,
    "FCVT_sd": 0x1E624000, "FCVT_ds": 0x1E22C000,
    "FMOV_rd": 0x9E660000, "FMOV_dr": 0x9E670000,
    "SCVTF_dr": 0x9E620000, "FCVTZS_rd": 0x9E780000,
}
_O = OPCODES


class EncodingError(ValueError):
    """An operand does not fit the instruction's encoding."""


def _need(ok: bool, msg: str) -> None:
    if not ok:
        raise EncodingError(msg)


def _int(v: int, what: str) -> int:
    _need(isinstance(v, int) and not isinstance(v, bool), f"{what}: not an int: {v!r}")
    return v


def _reg(n: int, what: str = "register") -> int:
    _need(0 <= _int(n, what) <= 31, f"{what} out of range: {n}")
    return n


def _rd(n: int) -> int:
    return _reg(n, "Rd/Rt")


def _rn(n: int) -> int:
    return _reg(n, "Rn") << 5


def _rm(n: int) -> int:
    return _reg(n, "Rm") << 16


def _ra(n: int) -> int:
    return _reg(n, "Ra/Rt2") << 10


def _uimm(v: int, bits: int, what: str) -> int:
    _need(0 <= _int(v, what) < (1 << bits), f"{what} out of range: {v}")
    return v


def _simm(v: int, bits: int, what: str) -> int:
    half = 1 << (bits - 1)
    _need(-half <= _int(v, what) < half, f"{what} out of range: {v}")
    return v & ((1 << bits) - 1)


def _imm12(v: int) -> int:
    return _uimm(v, 12, "imm12") << 10


def _imm16(v: int) -> int:
    return _uimm(v, 16, "imm16") << 5


def _imm6(v: int, shift: int) -> int:
    return _uimm(v, 6, "imm6") << shift


def _cond(c: int, allow_al: bool = True) -> int:
    top = AL if allow_al else AL - 1
    _need(0 <= _int(c, "cond") <= top, f"condition code out of range: {c}")
    return c


def _scaled(v: int, scale: int, bits: int, what: str) -> int:
    """Signed byte offset ``v`` as a ``bits``-wide field counting ``scale`` units."""
    _need(_int(v, what) % scale == 0, f"{what} not a multiple of {scale}: {v}")
    return _simm(v // scale, bits, what)


def _imm26(offset: int) -> int:
    return _scaled(offset, 4, 26, "branch offset")


def _imm19(offset: int) -> int:
    return _scaled(offset, 4, 19, "branch offset") << 5


def _imm9(v: int) -> int:
    return _simm(v, 9, "simm9") << 12


def _imm7x8(v: int) -> int:
    return _scaled(v, 8, 7, "pair offset") << 15


def _flag(b: bool) -> int:
    _need(isinstance(b, bool), f"flag must be a bool: {b!r}")
    return int(b)


def _addsub_imm(v: int) -> int:
    """imm12 field plus the LSL #12 bit for any value imm12 or imm12<<12."""
    _int(v, "imm")
    if 0 <= v < 4096:
        return _imm12(v)
    _need(v > 0 and v & 0xFFF == 0 and v >> 12 < 4096, f"add/sub immediate not encodable: {v}")
    return (1 << 22) | _imm12(v >> 12)


def encode_bitmask(value: int) -> tuple[int, int, int] | None:
    """Encode a 64-bit logical immediate as ``(N, immr, imms)``, or None.

    Accepts -2**63..2**64-1 (taken modulo 2**64).  Zero, all-ones and values
    that are not a replicated rotated run of ones are not encodable.
    """
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    if not -(1 << 63) <= value <= MASK64:
        return None
    value &= MASK64
    if value in (0, MASK64):
        return None
    size = 2
    while size < 64 and value != _replicate(value & ((1 << size) - 1), size):
        size *= 2
    if value != _replicate(value & ((1 << size) - 1), size):
        return None
    mask = (1 << size) - 1
    elem = value & mask
    ones = bin(elem).count("1")
    run = (1 << ones) - 1
    for rot in range(size):
        if ((run >> rot) | (run << (size - rot))) & mask == elem:
            n = 1 if size == 64 else 0
            imms = (~(2 * size - 1) & 0x3F) | (ones - 1)
            return n, rot, imms
    return None


def _replicate(elem: int, size: int) -> int:
    out = 0
    for pos in range(0, 64, size):
        out |= elem << pos
    return out


def _logical_imm(v: int) -> int:
    enc = encode_bitmask(v)
    if enc is None:
        raise EncodingError(f"not a logical immediate: {v!r}")
    n, immr, imms = enc
    return (n << 22) | (immr << 16) | (imms << 10)


def _halfwords(v: int) -> list[int]:
    return [(v >> (16 * i)) & 0xFFFF for i in range(4)]


def _join(hws: list[int]) -> int:
    return sum(h << (16 * i) for i, h in enumerate(hws))


def _wide_plan(hws: list[int], fill: int) -> list[tuple[str, int, int]]:
    """MOVZ (fill 0) or MOVN (fill 0xffff) then MOVKs for differing halfwords."""
    todo = [i for i in range(4) if hws[i] != fill] or [0]
    first = todo[0]
    if fill == 0:
        plan = [("MOVZ", hws[first], first * 16)]
    else:
        plan = [("MOVN", ~hws[first] & 0xFFFF, first * 16)]
    return plan + [("MOVK", hws[i], i * 16) for i in todo[1:]]


def mov_plan(value: int) -> list[tuple[str, int, int]]:
    """Shortest found sequence loading ``value``: ``(op, imm, shift)`` steps.

    ``op`` is MOVZ/MOVN/MOVK (imm16, shift) or ORR (full bitmask, 0).  ORR
    followed by MOVKs is tried for the halfwords that break a bitmask pattern.
    """
    _need(-(1 << 63) <= _int(value, "value") <= MASK64, f"value out of 64-bit range: {value}")
    v = value & MASK64
    hws = _halfwords(v)
    best = min(_wide_plan(hws, 0), _wide_plan(hws, 0xFFFF), key=len)
    if len(best) == 1:
        return best
    if encode_bitmask(v) is not None:
        return [("ORR", v, 0)]
    fills = sorted(set(hws) | {0, 0xFFFF})
    for count in (1, 2):
        if len(best) <= count + 1:
            break
        plan = next(_orr_movk_plans(hws, fills, count), None)
        if plan is not None:
            return plan
    return best


def _orr_movk_plans(hws: list[int], fills: list[int],
                    count: int) -> Iterator[list[tuple[str, int, int]]]:
    """ORR of ``hws`` with ``count`` halfwords replaced, then MOVK them back."""
    positions = [(i,) for i in range(4)] if count == 1 else [
        (i, j) for i in range(4) for j in range(i + 1, 4)]
    for pos in positions:
        choices = [[f] for f in fills] if count == 1 else [
            [f, g] for f in fills for g in fills]
        for repl in choices:
            trial = list(hws)
            for p, f in zip(pos, repl):
                trial[p] = f
            if any(trial[p] == hws[p] for p in pos):
                continue
            b = _join(trial)
            if encode_bitmask(b) is not None:
                yield [("ORR", b, 0)] + [("MOVK", hws[p], p * 16) for p in pos]


class A64Encoder:
    """Appends A64 instructions to ``buf``; see the module docstring."""

    def __init__(self) -> None:
        self.buf = bytearray()

    @property
    def pos(self) -> int:
        return len(self.buf)

    def emit(self, word: int) -> int:
        """Append a raw 32-bit word; returns its byte offset."""
        at = len(self.buf)
        self.buf += _uimm(word, 32, "word").to_bytes(4, "little")
        return at

    def word_at(self, at: int) -> int:
        _need(at % 4 == 0 and 0 <= at <= len(self.buf) - 4, f"bad instruction offset: {at}")
        return int.from_bytes(self.buf[at:at + 4], "little")

    def patch_branch(self, at: int, target: int) -> None:
        """Point the B/BL (imm26) or B.cond/CBZ/CBNZ/LDR-literal (imm19) at
        byte offset ``at`` to byte offset ``target``."""
        word = self.word_at(at)
        offset = _int(target, "target") - at
        if word & 0x7C000000 == 0x14000000:  # B, BL
            word = (word & ~0x03FFFFFF) | _imm26(offset)
        elif (word & 0xFF000010 == 0x54000000  # B.cond
              or word & 0x7E000000 == 0x34000000  # CBZ, CBNZ
              or word & 0x3B000000 == 0x18000000):  # LDR (literal)
            word = (word & ~(0x7FFFF << 5)) | _imm19(offset)
        else:
            raise EncodingError(f"not a patchable branch at {at}: {word:#010x}")
        self.buf[at:at + 4] = word.to_bytes(4, "little")

    # -- add / subtract (shifted register: 31 = XZR everywhere) ---------------

    def ADD_rrr(self, rd: int, rn: int, rm: int) -> int:
        return self.emit(_O["ADD_rrr"] | _rm(rm) | _rn(rn) | _rd(rd))

    def ADDS_rrr(self, rd: int, rn: int, rm: int) -> int:
        return self.emit(_O["ADDS_rrr"] | _rm(rm) | _rn(rn) | _rd(rd))

    def SUB_rrr(self, rd: int, rn: int, rm: int) -> int:
        return self.emit(_O["SUB_rrr"] | _rm(rm) | _rn(rn) | _rd(rd))

    def SUBS_rrr(self, rd: int, rn: int, rm: int) -> int:
        return self.emit(_O["SUBS_rrr"] | _rm(rm) | _rn(rn) | _rd(rd))

    def CMP_rr(self, rn: int, rm: int) -> int:
        """subs xzr, rn, rm."""
        return self.SUBS_rrr(31, rn, rm)

    def NEG_rr(self, rd: int, rm: int) -> int:
        return self.SUB_rrr(rd, 31, rm)

    def NEGS_rr(self, rd: int, rm: int) -> int:
        return self.SUBS_rrr(rd, 31, rm)

    # -- add / subtract immediate (imm12 or imm12<<12) -------------------------

    def ADD_rri(self, rd: int, rn: int, imm: int) -> int:
        """31=SP for rd and rn."""
        return self.emit(_O["ADD_rri"] | _addsub_imm(imm) | _rn(rn) | _rd(rd))

    def SUB_rri(self, rd: int, rn: int, imm: int) -> int:
        """31=SP for rd and rn."""
        return self.emit(_O["SUB_rri"] | _addsub_imm(imm) | _rn(rn) | _rd(rd))

    def ADDS_rri(self, rd: int, rn: int, imm: int) -> int:
        """31=SP for rn, XZR for rd."""
        return self.emit(_O["ADDS_rri"] | _addsub_imm(imm) | _rn(rn) | _rd(rd))

    def SUBS_rri(self, rd: int, rn: int, imm: int) -> int:
        """31=SP for rn, XZR for rd."""
        return self.emit(_O["SUBS_rri"] | _addsub_imm(imm) | _rn(rn) | _rd(rd))

    def CMP_ri(self, rn: int, imm: int) -> int:
        """31=SP for rn."""
        return self.SUBS_rri(31, rn, imm)

    def CMN_ri(self, rn: int, imm: int) -> int:
        """31=SP for rn."""
        return self.ADDS_rri(31, rn, imm)

    def MOV_rsp(self, rd: int) -> int:
        """mov rd, sp (add rd, sp, #0); rd is 0..30."""
        _need(_reg(rd) != 31, "MOV_rsp: rd must be X0..X30")
        return self.ADD_rri(rd, 31, 0)

    def MOV_spr(self, rn: int) -> int:
        """mov sp, rn (add sp, rn, #0); rn is 0..30."""
        _need(_reg(rn) != 31, "MOV_spr: rn must be X0..X30")
        return self.ADD_rri(31, rn, 0)

    # -- multiply / divide -----------------------------------------------------

    def MADD_rrrr(self, rd: int, rn: int, rm: int, ra: int) -> int:
        return self.emit(_O["MADD"] | _rm(rm) | _ra(ra) | _rn(rn) | _rd(rd))

    def MSUB_rrrr(self, rd: int, rn: int, rm: int, ra: int) -> int:
        return self.emit(_O["MSUB"] | _rm(rm) | _ra(ra) | _rn(rn) | _rd(rd))

    def MUL_rrr(self, rd: int, rn: int, rm: int) -> int:
        return self.MADD_rrrr(rd, rn, rm, 31)

    def SMULH_rrr(self, rd: int, rn: int, rm: int) -> int:
        return self.emit(_O["SMULH"] | _rm(rm) | _rn(rn) | _rd(rd))

    def SDIV_rrr(self, rd: int, rn: int, rm: int) -> int:
        return self.emit(_O["SDIV"] | _rm(rm) | _rn(rn) | _rd(rd))

    def UDIV_rrr(self, rd: int, rn: int, rm: int) -> int:
        return self.emit(_O["UDIV"] | _rm(rm) | _rn(rn) | _rd(rd))

    # -- logical (shifted register: 31 = XZR) ----------------------------------

    def AND_rrr(self, rd: int, rn: int, rm: int) -> int:
        return self.emit(_O["AND_rrr"] | _rm(rm) | _rn(rn) | _rd(rd))

    def ORR_rrr(self, rd: int, rn: int, rm: int) -> int:
        return self.emit(_O["ORR_rrr"] | _rm(rm) | _rn(rn) | _rd(rd))

    def EOR_rrr(self, rd: int, rn: int, rm: int) -> int:
        return self.emit(_O["EOR_rrr"] | _rm(rm) | _rn(rn) | _rd(rd))

    def ANDS_rrr(self, rd: int, rn: int, rm: int) -> int:
        return self.emit(_O["ANDS_rrr"] | _rm(rm) | _rn(rn) | _rd(rd))

    def TST_rr(self, rn: int, rm: int) -> int:
        return self.ANDS_rrr(31, rn, rm)

    def MVN_rr(self, rd: int, rm: int) -> int:
        """orn rd, xzr, rm."""
        return self.emit(_O["ORN_rrr"] | _rm(rm) | _rn(31) | _rd(rd))

    def MOV_rr(self, rd: int, rm: int) -> int:
        """orr rd, xzr, rm (31 = XZR; use MOV_rsp/MOV_spr for SP)."""
        return self.ORR_rrr(rd, 31, rm)

    # -- logical immediate (31=SP for rd, XZR for rn) --------------------------

    def AND_rri(self, rd: int, rn: int, imm: int) -> int:
        return self.emit(_O["AND_rri"] | _logical_imm(imm) | _rn(rn) | _rd(rd))

    def ORR_rri(self, rd: int, rn: int, imm: int) -> int:
        return self.emit(_O["ORR_rri"] | _logical_imm(imm) | _rn(rn) | _rd(rd))

    def EOR_rri(self, rd: int, rn: int, imm: int) -> int:
        return self.emit(_O["EOR_rri"] | _logical_imm(imm) | _rn(rn) | _rd(rd))

    # -- shifts ----------------------------------------------------------------

    def LSLV_rrr(self, rd: int, rn: int, rm: int) -> int:
        return self.emit(_O["LSLV"] | _rm(rm) | _rn(rn) | _rd(rd))

    def LSRV_rrr(self, rd: int, rn: int, rm: int) -> int:
        return self.emit(_O["LSRV"] | _rm(rm) | _rn(rn) | _rd(rd))

    def ASRV_rrr(self, rd: int, rn: int, rm: int) -> int:
        return self.emit(_O["ASRV"] | _rm(rm) | _rn(rn) | _rd(rd))

    def _bfm(self, op: str, rd: int, rn: int, immr: int, imms: int) -> int:
        return self.emit(_O[op] | _imm6(immr, 16) | _imm6(imms, 10) | _rn(rn) | _rd(rd))

    def LSL_rri(self, rd: int, rn: int, shift: int) -> int:
        """ubfm rd, rn, #(-shift % 64), #(63 - shift); shift 0..63."""
        _uimm(shift, 6, "shift")
        return self._bfm("UBFM", rd, rn, -shift % 64, 63 - shift)

    def LSR_rri(self, rd: int, rn: int, shift: int) -> int:
        return self._bfm("UBFM", rd, rn, _uimm(shift, 6, "shift"), 63)

    def ASR_rri(self, rd: int, rn: int, shift: int) -> int:
        return self._bfm("SBFM", rd, rn, _uimm(shift, 6, "shift"), 63)

    def SXTW_rr(self, rd: int, rn: int) -> int:
        """sxtw rd, w(rn)."""
        return self._bfm("SBFM", rd, rn, 0, 31)

    # -- conditional select ----------------------------------------------------

    def CSEL_rrrc(self, rd: int, rn: int, rm: int, cc: int) -> int:
        return self.emit(_O["CSEL"] | _rm(rm) | _cond(cc) << 12 | _rn(rn) | _rd(rd))

    def CSINC_rrrc(self, rd: int, rn: int, rm: int, cc: int) -> int:
        return self.emit(_O["CSINC"] | _rm(rm) | _cond(cc) << 12 | _rn(rn) | _rd(rd))

    def CSNEG_rrrc(self, rd: int, rn: int, rm: int, cc: int) -> int:
        return self.emit(_O["CSNEG"] | _rm(rm) | _cond(cc) << 12 | _rn(rn) | _rd(rd))

    def CSET_rc(self, rd: int, cc: int) -> int:
        """rd = 1 if cc else 0 (csinc rd, xzr, xzr, !cc); cc is not AL."""
        return self.CSINC_rrrc(rd, 31, 31, _cond(cc, allow_al=False) ^ 1)

    # -- move wide -------------------------------------------------------------

    def _movw(self, op: str, rd: int, imm16: int, shift: int) -> int:
        _need(shift in (0, 16, 32, 48), f"move-wide shift must be 0/16/32/48: {shift}")
        return self.emit(_O[op] | (shift // 16) << 21 | _imm16(imm16) | _rd(rd))

    def MOVZ_rii(self, rd: int, imm16: int, shift: int = 0) -> int:
        return self._movw("MOVZ", rd, imm16, shift)

    def MOVN_rii(self, rd: int, imm16: int, shift: int = 0) -> int:
        return self._movw("MOVN", rd, imm16, shift)

    def MOVK_rii(self, rd: int, imm16: int, shift: int = 0) -> int:
        return self._movw("MOVK", rd, imm16, shift)

    def MOV_ri(self, rd: int, value: int) -> int:
        """Load any 64-bit value (-2**63..2**64-1) into rd (0..30)."""
        _need(_reg(rd) != 31, "MOV_ri: rd must be X0..X30")
        at = self.pos
        for op, imm, shift in mov_plan(value):
            if op == "ORR":
                self.ORR_rri(rd, 31, imm)
            else:
                self._movw(op, rd, imm, shift)
        return at

    # -- loads / stores --------------------------------------------------------
    # Base registers: 31=SP.  Data and index registers: 31=XZR.

    def _ldst_imm(self, scaled_op: str, unscaled_op: str, rt: int, base: int,
                  offset: int, scale: int) -> int:
        """Unsigned scaled imm12 form if possible, else unscaled simm9 form."""
        _int(offset, "offset")
        if offset >= 0 and offset % scale == 0 and offset // scale < 4096:
            return self.emit(_O[scaled_op] | _imm12(offset // scale) | _rn(base) | _rd(rt))
        _need(-256 <= offset <= 255, f"load/store offset not encodable: {offset}")
        return self.emit(_O[unscaled_op] | _imm9(offset) | _rn(base) | _rd(rt))

    def _ldst_reg(self, op: str, rt: int, base: int, index: int, scaled: bool) -> int:
        return self.emit(_O[op] | _rm(index) | _flag(scaled) << 12 | _rn(base) | _rd(rt))

    def LDR_rm(self, rt: int, base: int, offset: int) -> int:
        """ldr rt, [base, #offset]: offset 0..32760 step 8, else ldur -256..255."""
        return self._ldst_imm("LDR_x_uimm", "LDUR_x", rt, base, offset, 8)

    def STR_rm(self, rt: int, base: int, offset: int) -> int:
        """str rt, [base, #offset]: offset 0..32760 step 8, else stur -256..255."""
        return self._ldst_imm("STR_x_uimm", "STUR_x", rt, base, offset, 8)

    def LDR_dm(self, dt: int, base: int, offset: int) -> int:
        return self._ldst_imm("LDR_d_uimm", "LDUR_d", dt, base, offset, 8)

    def STR_dm(self, dt: int, base: int, offset: int) -> int:
        return self._ldst_imm("STR_d_uimm", "STUR_d", dt, base, offset, 8)

    def LDR_rx(self, rt: int, base: int, index: int, scaled: bool = False) -> int:
        """ldr rt, [base, index{, lsl #3}]."""
        return self._ldst_reg("LDR_x_reg", rt, base, index, scaled)

    def STR_rx(self, rt: int, base: int, index: int, scaled: bool = False) -> int:
        return self._ldst_reg("STR_x_reg", rt, base, index, scaled)

    def LDR32_rx(self, rt: int, base: int, index: int, scaled: bool = False) -> int:
        """ldr w(rt), [base, index{, lsl #2}], zero-extending."""
        return self._ldst_reg("LDR_w_reg", rt, base, index, scaled)

    def STR32_rx(self, rt: int, base: int, index: int, scaled: bool = False) -> int:
        return self._ldst_reg("STR_w_reg", rt, base, index, scaled)

    def LDRSW_rx(self, rt: int, base: int, index: int, scaled: bool = False) -> int:
        """ldrsw rt, [base, index{, lsl #2}]."""
        return self._ldst_reg("LDRSW_reg", rt, base, index, scaled)

    def LDRH_rx(self, rt: int, base: int, index: int, scaled: bool = False) -> int:
        """ldrh w(rt), [base, index{, lsl #1}]."""
        return self._ldst_reg("LDRH_reg", rt, base, index, scaled)

    def LDRSH_rx(self, rt: int, base: int, index: int, scaled: bool = False) -> int:
        """ldrsh rt, [base, index{, lsl #1}] (sign-extends to 64 bits)."""
        return self._ldst_reg("LDRSH_reg", rt, base, index, scaled)

    def STRH_rx(self, rt: int, base: int, index: int, scaled: bool = False) -> int:
        return self._ldst_reg("STRH_reg", rt, base, index, scaled)

    def LDRB_rx(self, rt: int, base: int, index: int, scaled: bool = False) -> int:
        """ldrb w(rt), [base, index{, lsl #0}]."""
        return self._ldst_reg("LDRB_reg", rt, base, index, scaled)

    def LDRSB_rx(self, rt: int, base: int, index: int, scaled: bool = False) -> int:
        """ldrsb rt, [base, index{, lsl #0}] (sign-extends to 64 bits)."""
        return self._ldst_reg("LDRSB_reg", rt, base, index, scaled)

    def STRB_rx(self, rt: int, base: int, index: int, scaled: bool = False) -> int:
        return self._ldst_reg("STRB_reg", rt, base, index, scaled)

    def LDR_dx(self, dt: int, base: int, index: int, scaled: bool = False) -> int:
        """ldr dt, [base, index{, lsl #3}]."""
        return self._ldst_reg("LDR_d_reg", dt, base, index, scaled)

    def STR_dx(self, dt: int, base: int, index: int, scaled: bool = False) -> int:
        return self._ldst_reg("STR_d_reg", dt, base, index, scaled)

    def LDR_sx(self, st: int, base: int, index: int, scaled: bool = False) -> int:
        """ldr st, [base, index{, lsl #2}]."""
        return self._ldst_reg("LDR_s_reg", st, base, index, scaled)

    def STR_sx(self, st: int, base: int, index: int, scaled: bool = False) -> int:
        return self._ldst_reg("STR_s_reg", st, base, index, scaled)

    def LDR_literal_rj(self, rt: int, offset: int) -> int:
        """ldr rt, <pc + offset>; offset multiple of 4 within +-1 MiB."""
        return self.emit(_O["LDR_literal"] | _imm19(offset) | _rd(rt))

    # -- load / store pair: offset multiple of 8 in -512..504 -----------------

    def _pair(self, op: str, rt: int, rt2: int, base: int, offset: int) -> int:
        return self.emit(_O[op] | _imm7x8(offset) | _ra(rt2) | _rn(base) | _rd(rt))

    def LDP_rrm(self, rt: int, rt2: int, base: int, offset: int) -> int:
        _need(rt != rt2, "LDP: rt == rt2 is unpredictable")
        return self._pair("LDP_off", rt, rt2, base, offset)

    def STP_rrm(self, rt: int, rt2: int, base: int, offset: int) -> int:
        return self._pair("STP_off", rt, rt2, base, offset)

    def STP_pre(self, rt: int, rt2: int, base: int, offset: int) -> int:
        """stp rt, rt2, [base, #offset]! (e.g. prologue push of x29, x30)."""
        _need(base == 31 or base not in (rt, rt2), "STP: writeback base is a source")
        return self._pair("STP_pre", rt, rt2, base, offset)

    def LDP_post(self, rt: int, rt2: int, base: int, offset: int) -> int:
        """ldp rt, rt2, [base], #offset."""
        _need(rt != rt2, "LDP: rt == rt2 is unpredictable")
        _need(base == 31 or base not in (rt, rt2), "LDP: writeback base is a destination")
        return self._pair("LDP_post", rt, rt2, base, offset)

    # -- branches --------------------------------------------------------------

    def B_j(self, offset: int) -> int:
        """Offset multiple of 4 within +-128 MiB."""
        return self.emit(_O["B"] | _imm26(offset))

    def BL_j(self, offset: int) -> int:
        return self.emit(_O["BL"] | _imm26(offset))

    def B_cond_cj(self, cc: int, offset: int) -> int:
        """Offset multiple of 4 within +-1 MiB."""
        return self.emit(_O["B_cond"] | _imm19(offset) | _cond(cc))

    def CBZ_rj(self, rt: int, offset: int) -> int:
        return self.emit(_O["CBZ"] | _imm19(offset) | _rd(rt))

    def CBNZ_rj(self, rt: int, offset: int) -> int:
        return self.emit(_O["CBNZ"] | _imm19(offset) | _rd(rt))

    def BR_r(self, rn: int) -> int:
        return self.emit(_O["BR"] | _rn(rn))

    def BLR_r(self, rn: int) -> int:
        return self.emit(_O["BLR"] | _rn(rn))

    def RET(self) -> int:
        """ret (to x30)."""
        return self.emit(_O["RET"])

    def NOP(self) -> int:
        return self.emit(_O["NOP"])

    def BRK_i(self, imm16: int) -> int:
        return self.emit(_O["BRK"] | _imm16(imm16))

    # -- floating point (double precision unless noted) -----------------------

    def _fp3(self, op: str, dd: int, dn: int, dm: int) -> int:
        return self.emit(_O[op] | _rm(dm) | _rn(dn) | _rd(dd))

    def _fp2(self, op: str, dd: int, dn: int) -> int:
        return self.emit(_O[op] | _rn(dn) | _rd(dd))

    def FADD_ddd(self, dd: int, dn: int, dm: int) -> int:
        return self._fp3("FADD", dd, dn, dm)

    def FSUB_ddd(self, dd: int, dn: int, dm: int) -> int:
        return self._fp3("FSUB", dd, dn, dm)

    def FMUL_ddd(self, dd: int, dn: int, dm: int) -> int:
        return self._fp3("FMUL", dd, dn, dm)

    def FDIV_ddd(self, dd: int, dn: int, dm: int) -> int:
        return self._fp3("FDIV", dd, dn, dm)

    def FMIN_ddd(self, dd: int, dn: int, dm: int) -> int:
        return self._fp3("FMIN", dd, dn, dm)

    def FMAX_ddd(self, dd: int, dn: int, dm: int) -> int:
        return self._fp3("FMAX", dd, dn, dm)

    def FSQRT_dd(self, dd: int, dn: int) -> int:
        return self._fp2("FSQRT", dd, dn)

    def FNEG_dd(self, dd: int, dn: int) -> int:
        return self._fp2("FNEG", dd, dn)

    def FABS_dd(self, dd: int, dn: int) -> int:
        return self._fp2("FABS", dd, dn)

    def FMOV_dd(self, dd: int, dn: int) -> int:
        return self._fp2("FMOV_dd", dd, dn)

    def FRINTM_dd(self, dd: int, dn: int) -> int:
        """Round toward minus infinity (floor)."""
        return self._fp2("FRINTM", dd, dn)

    def FRINTP_dd(self, dd: int, dn: int) -> int:
        """Round toward plus infinity (ceil)."""
        return self._fp2("FRINTP", dd, dn)

    def FRINTZ_dd(self, dd: int, dn: int) -> int:
        """Round toward zero (trunc)."""
        return self._fp2("FRINTZ", dd, dn)

    def FRINTN_dd(self, dd: int, dn: int) -> int:
        """Round to nearest, ties to even."""
        return self._fp2("FRINTN", dd, dn)

    def FCMP_dd(self, dn: int, dm: int) -> int:
        return self.emit(_O["FCMP"] | _rm(dm) | _rn(dn))

    def FCMP_d0(self, dn: int) -> int:
        """fcmp dn, #0.0."""
        return self.emit(_O["FCMP_zero"] | _rn(dn))

    def FCVT_sd(self, sd: int, dn: int) -> int:
        """Double to single."""
        return self._fp2("FCVT_sd", sd, dn)

    def FCVT_ds(self, dd: int, sn: int) -> int:
        """Single to double."""
        return self._fp2("FCVT_ds", dd, sn)

    def FMOV_dr(self, dd: int, rn: int) -> int:
        """Bit copy X -> D (31 = XZR)."""
        return self._fp2("FMOV_dr", dd, rn)

    def FMOV_rd(self, rd: int, dn: int) -> int:
        """Bit copy D -> X (31 = XZR)."""
        return self._fp2("FMOV_rd", rd, dn)

    def SCVTF_dr(self, dd: int, rn: int) -> int:
        """Signed int64 -> double."""
        return self._fp2("SCVTF_dr", dd, rn)

    def FCVTZS_rd(self, rd: int, dn: int) -> int:
        """Double -> int64, truncating."""
        return self._fp2("FCVTZS_rd", rd, dn)

    def bytes(self) -> bytes:
        """The encoded machine code."""
        return bytes(self.buf)
