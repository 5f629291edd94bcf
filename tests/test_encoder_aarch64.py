"""Oracle tests for the A64 encoder.

Every instruction method is run on generated operands (all registers per
position, edge and seeded random immediates).  Each case renders the plain
assembly text of what it encodes; llvm-mc must assemble that text to the same
words, and capstone must disassemble the words back to the same instruction.
"""

from __future__ import annotations

import inspect
import os
import random
import re
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable

import pytest

from jitnb.jit.backend.aarch64 import registers as R
from jitnb.jit.backend.aarch64.encoder import (
    A64Encoder,
    EncodingError,
    encode_bitmask,
    mov_plan,
)

try:
    import capstone
except ImportError:  # pragma: no cover - depends on the machine
    capstone = None

MASK64 = (1 << 64) - 1
LLVM_MC = "/usr/bin/llvm-mc" if os.path.exists("/usr/bin/llvm-mc") else shutil.which("llvm-mc")
need_llvm = pytest.mark.skipif(LLVM_MC is None, reason="llvm-mc not installed")
need_capstone = pytest.mark.skipif(capstone is None, reason="capstone not installed")
N_RANDOM = 12  # random operand combinations per method


# -- operand kinds: edge values, random generator, assembly rendering -------

def X(n: int) -> str:
    return "xzr" if n == 31 else f"x{n}"


def XS(n: int) -> str:
    return "sp" if n == 31 else f"x{n}"


def W(n: int) -> str:
    return "wzr" if n == 31 else f"w{n}"


def decode_bitmask(n: int, immr: int, imms: int) -> int | None:
    """The architecture's DecodeBitMasks for 64-bit, or None if reserved."""
    combined = (n << 6) | (~imms & 0x3F)
    if combined == 0:
        return None
    length = combined.bit_length() - 1
    if length < 1:
        return None
    size = 1 << length
    s, r = imms & (size - 1), immr & (size - 1)
    if s == size - 1:
        return None
    elem = (1 << (s + 1)) - 1
    elem = ((elem >> r) | (elem << (size - r))) & ((1 << size) - 1)
    return sum(elem << i for i in range(0, 64, size))


def _all_bitmasks() -> dict[int, tuple[int, int, int]]:
    table = {}
    for n in (0, 1):
        for imms in range(64):
            for immr in range(64):
                v = decode_bitmask(n, immr, imms)
                if v is None:
                    continue
                size = 64 if n else 1 << ((~imms & 0x3F).bit_length() - 1)
                if immr < size:
                    assert v not in table
                    table[v] = (n, immr, imms)
    return table


BITMASKS = _all_bitmasks()
BITMASK_VALUES = sorted(BITMASKS)
BITMASK_EDGES = [
    1, 3, 0xFFFF, 0xFFFFFFFF, 0x5555555555555555, 0xAAAAAAAAAAAAAAAA,
    0x7FFFFFFFFFFFFFFF, 0x8000000000000000, 0xFFFFFFFFFFFFFFFE,
    0xFFFF0000FFFF0000, 0x0F0F0F0F0F0F0F0F, 0x00FF00FF00FF00FF,
    0xC000000000000003, 0x8000000080000000,
]


def _scaled_ok(off: int, scale: int) -> bool:
    return off >= 0 and off % scale == 0 and off // scale < 4096


def _rand_value(rng: random.Random) -> int:
    shape = rng.randrange(5)
    if shape == 0:
        return rng.getrandbits(64)
    if shape == 1:  # a few halfwords zero or ones
        return sum(rng.choice([0, 0xFFFF, rng.getrandbits(16)]) << s for s in (0, 16, 32, 48))
    if shape == 2:
        return rng.choice(BITMASK_VALUES)
    if shape == 3:  # bitmask with one or two halfwords changed
        v = rng.choice(BITMASK_VALUES)
        for _ in range(rng.randrange(1, 3)):
            s = rng.choice((0, 16, 32, 48))
            v = (v & ~(0xFFFF << s)) | (rng.getrandbits(16) << s)
        return v
    return rng.randrange(-(1 << 63), 0)


VALUE_EDGES = [
    0, 1, -1, 2, 0xFFFF, 0x10000, 0xFFFF0000, 2**32 - 1, 2**32, 2**63 - 1, -2**63,
    2**64 - 1, 2**64 - 2, 0x5555555555555555, 0x123456789ABCDEF0, -0x10000,
    0xFFFF_0000_0000_FFFF, 0x0000_FFFF_FFFF_0000, 0xDEADBEEF, -0xDEADBEEF,
    0x5555_1234_5555_5555, 0x00FF_00FF_00FF_1234, 0x1234_0000_0000_5678,
    0xFFFF_1234_FFFF_5678, 0x8000_0000_0000_0001,
]


@dataclass(frozen=True)
class Kind:
    edges: tuple[Any, ...]
    rand: Callable[[random.Random], Any]
    show: Callable[[Any], str] = str


def _regs(show: Callable[[int], str], top: int = 31) -> Kind:
    return Kind(tuple(range(top + 1)), lambda r: r.randrange(top + 1), show)


def _lsl(n: int) -> Kind:
    return Kind((False, True), lambda r: r.random() < 0.5,
                lambda b: f", lsl #{n}" if b else "")


KINDS: dict[str, Kind] = {
    "x": _regs(X),
    "xsp": _regs(XS),
    "x30": _regs(X, 30),
    "w": _regs(W),
    "d": _regs(lambda n: f"d{n}"),
    "s": _regs(lambda n: f"s{n}"),
    "c": Kind(tuple(range(15)), lambda r: r.randrange(15), lambda c: R.CC_NAMES[c]),
    "cset": Kind(tuple(range(14)), lambda r: r.randrange(14), lambda c: R.CC_NAMES[c ^ 1]),
    "aimm": Kind((0, 1, 2, 4094, 4095, 4096, 8192, 2048 << 12, 4094 << 12, 4095 << 12),
                 lambda r: r.choice([r.randrange(4096), r.randrange(1, 4096) << 12]),
                 lambda v: str(v) if v < 4096 else f"{v >> 12}, lsl #12"),
    "limm": Kind(tuple(BITMASK_EDGES), lambda r: r.choice(BITMASK_VALUES), hex),
    "sh6": Kind(tuple(range(64)), lambda r: r.randrange(64)),
    "imm16": Kind((0, 1, 2, 0x7FFF, 0x8000, 0xFFFE, 0xFFFF), lambda r: r.randrange(1 << 16)),
    "hw": Kind((0, 16, 32, 48), lambda r: r.choice((0, 16, 32, 48))),
    "off8": Kind((0, 8, 16, 248, 256, 32752, 32760, 1, 4, 7, 255, 254, -1, -8, -255, -256),
                 lambda r: r.choice([r.randrange(4096) * 8, r.randrange(-256, 256)])),
    "pair": Kind((-512, -504, -16, -8, 0, 8, 16, 496, 504), lambda r: r.randrange(-64, 64) * 8),
    "j26": Kind((0, 4, -4, 8, (1 << 27) - 4, (1 << 27) - 8, -(1 << 27), -(1 << 27) + 4),
                lambda r: r.randrange(-(1 << 25), 1 << 25) * 4),
    "j19": Kind((0, 4, -4, 8, (1 << 20) - 4, (1 << 20) - 8, -(1 << 20), -(1 << 20) + 4),
                lambda r: r.randrange(-(1 << 18), 1 << 18) * 4),
    "val64": Kind(tuple(VALUE_EDGES), _rand_value),
    "lsl0": _lsl(0), "lsl1": _lsl(1), "lsl2": _lsl(2), "lsl3": _lsl(3),
}


# -- per-method specification: operand kinds and the plain assembly text ---

Render = Callable[[list[Any]], "str | list[str]"]


@dataclass(frozen=True)
class Spec:
    kinds: tuple[str, ...]
    fmt: str | Render
    valid: Callable[..., bool] | None = None

    def render(self, args: list[Any]) -> list[str]:
        if callable(self.fmt):
            out = self.fmt(args)
            return [out] if isinstance(out, str) else out
        shown = [KINDS[k].show(a) for k, a in zip(self.kinds, args)]
        return [self.fmt.format(*shown)]


def _ldst(scaled_mn: str, unscaled_mn: str, reg: Callable[[int], str]) -> Render:
    def render(a: list[Any]) -> str:
        rt, base, off = a
        mn = scaled_mn if _scaled_ok(off, 8) else unscaled_mn
        return f"{mn} {reg(rt)}, [{XS(base)}, #{off}]"
    return render


def _mov_lines(a: list[Any]) -> list[str]:
    rd, value = a
    lines = []
    for op, imm, shift in mov_plan(value):
        if op == "ORR":
            lines.append(f"orr {X(rd)}, xzr, #{imm:#x}")
        else:
            lines.append(f"{op.lower()} {X(rd)}, #{imm}, lsl #{shift}")
    return lines


def _pair_ok(rt: int, rt2: int, base: int, off: int) -> bool:
    return rt != rt2


def _wb_ok(rt: int, rt2: int, base: int, off: int) -> bool:
    return base == 31 or base not in (rt, rt2)


def _ldp_wb_ok(rt: int, rt2: int, base: int, off: int) -> bool:
    return rt != rt2 and _wb_ok(rt, rt2, base, off)


def _reg_ldst(mn: str, lsl: str, data: str = "x") -> Spec:
    return Spec((data, "xsp", "x", lsl), mn + " {0}, [{1}, {2}{3}]")


SPECS: dict[str, Spec] = {
    "ADD_rrr": Spec(("x", "x", "x"), "add {0}, {1}, {2}"),
    "ADDS_rrr": Spec(("x", "x", "x"), "adds {0}, {1}, {2}"),
    "SUB_rrr": Spec(("x", "x", "x"), "sub {0}, {1}, {2}"),
    "SUBS_rrr": Spec(("x", "x", "x"), "subs {0}, {1}, {2}"),
    "CMP_rr": Spec(("x", "x"), "subs xzr, {0}, {1}"),
    "NEG_rr": Spec(("x", "x"), "sub {0}, xzr, {1}"),
    "NEGS_rr": Spec(("x", "x"), "subs {0}, xzr, {1}"),
    "ADD_rri": Spec(("xsp", "xsp", "aimm"), "add {0}, {1}, #{2}"),
    "SUB_rri": Spec(("xsp", "xsp", "aimm"), "sub {0}, {1}, #{2}"),
    "ADDS_rri": Spec(("x", "xsp", "aimm"), "adds {0}, {1}, #{2}"),
    "SUBS_rri": Spec(("x", "xsp", "aimm"), "subs {0}, {1}, #{2}"),
    "CMP_ri": Spec(("xsp", "aimm"), "subs xzr, {0}, #{1}"),
    "CMN_ri": Spec(("xsp", "aimm"), "adds xzr, {0}, #{1}"),
    "MOV_rsp": Spec(("x30",), "add {0}, sp, #0"),
    "MOV_spr": Spec(("x30",), "add sp, {0}, #0"),
    "MADD_rrrr": Spec(("x", "x", "x", "x"), "madd {0}, {1}, {2}, {3}"),
    "MSUB_rrrr": Spec(("x", "x", "x", "x"), "msub {0}, {1}, {2}, {3}"),
    "MUL_rrr": Spec(("x", "x", "x"), "madd {0}, {1}, {2}, xzr"),
    "SMULH_rrr": Spec(("x", "x", "x"), "smulh {0}, {1}, {2}"),
    "SDIV_rrr": Spec(("x", "x", "x"), "sdiv {0}, {1}, {2}"),
    "UDIV_rrr": Spec(("x", "x", "x"), "udiv {0}, {1}, {2}"),
    "AND_rrr": Spec(("x", "x", "x"), "and {0}, {1}, {2}"),
    "ORR_rrr": Spec(("x", "x", "x"), "orr {0}, {1}, {2}"),
    "EOR_rrr": Spec(("x", "x", "x"), "eor {0}, {1}, {2}"),
    "ANDS_rrr": Spec(("x", "x", "x"), "ands {0}, {1}, {2}"),
    "TST_rr": Spec(("x", "x"), "ands xzr, {0}, {1}"),
    "MVN_rr": Spec(("x", "x"), "orn {0}, xzr, {1}"),
    "MOV_rr": Spec(("x", "x"), "orr {0}, xzr, {1}"),
    "AND_rri": Spec(("xsp", "x", "limm"), "and {0}, {1}, #{2}"),
    "ORR_rri": Spec(("xsp", "x", "limm"), "orr {0}, {1}, #{2}"),
    "EOR_rri": Spec(("xsp", "x", "limm"), "eor {0}, {1}, #{2}"),
    "LSLV_rrr": Spec(("x", "x", "x"), "lslv {0}, {1}, {2}"),
    "LSRV_rrr": Spec(("x", "x", "x"), "lsrv {0}, {1}, {2}"),
    "ASRV_rrr": Spec(("x", "x", "x"), "asrv {0}, {1}, {2}"),
    "LSL_rri": Spec(("x", "x", "sh6"),
                    lambda a: f"ubfm {X(a[0])}, {X(a[1])}, #{-a[2] % 64}, #{63 - a[2]}"),
    "LSR_rri": Spec(("x", "x", "sh6"), "ubfm {0}, {1}, #{2}, #63"),
    "ASR_rri": Spec(("x", "x", "sh6"), "sbfm {0}, {1}, #{2}, #63"),
    "SXTW_rr": Spec(("x", "x"), "sbfm {0}, {1}, #0, #31"),
    "CSEL_rrrc": Spec(("x", "x", "x", "c"), "csel {0}, {1}, {2}, {3}"),
    "CSINC_rrrc": Spec(("x", "x", "x", "c"), "csinc {0}, {1}, {2}, {3}"),
    "CSNEG_rrrc": Spec(("x", "x", "x", "c"), "csneg {0}, {1}, {2}, {3}"),
    "CSET_rc": Spec(("x", "cset"), "csinc {0}, xzr, xzr, {1}"),
    "MOVZ_rii": Spec(("x", "imm16", "hw"), "movz {0}, #{1}, lsl #{2}"),
    "MOVN_rii": Spec(("x", "imm16", "hw"), "movn {0}, #{1}, lsl #{2}"),
    "MOVK_rii": Spec(("x", "imm16", "hw"), "movk {0}, #{1}, lsl #{2}"),
    "MOV_ri": Spec(("x30", "val64"), _mov_lines),
    "LDR_rm": Spec(("x", "xsp", "off8"), _ldst("ldr", "ldur", X)),
    "STR_rm": Spec(("x", "xsp", "off8"), _ldst("str", "stur", X)),
    "LDR_dm": Spec(("d", "xsp", "off8"), _ldst("ldr", "ldur", lambda n: f"d{n}")),
    "STR_dm": Spec(("d", "xsp", "off8"), _ldst("str", "stur", lambda n: f"d{n}")),
    "LDR_rx": _reg_ldst("ldr", "lsl3"),
    "STR_rx": _reg_ldst("str", "lsl3"),
    "LDR32_rx": _reg_ldst("ldr", "lsl2", "w"),
    "STR32_rx": _reg_ldst("str", "lsl2", "w"),
    "LDRSW_rx": _reg_ldst("ldrsw", "lsl2"),
    "LDRH_rx": _reg_ldst("ldrh", "lsl1", "w"),
    "LDRSH_rx": _reg_ldst("ldrsh", "lsl1"),
    "STRH_rx": _reg_ldst("strh", "lsl1", "w"),
    "LDRB_rx": _reg_ldst("ldrb", "lsl0", "w"),
    "LDRSB_rx": _reg_ldst("ldrsb", "lsl0"),
    "STRB_rx": _reg_ldst("strb", "lsl0", "w"),
    "LDR_dx": _reg_ldst("ldr", "lsl3", "d"),
    "STR_dx": _reg_ldst("str", "lsl3", "d"),
    "LDR_sx": _reg_ldst("ldr", "lsl2", "s"),
    "STR_sx": _reg_ldst("str", "lsl2", "s"),
    "LDR_literal_rj": Spec(("x", "j19"), "ldr {0}, #{1}"),
    "LDP_rrm": Spec(("x", "x", "xsp", "pair"), "ldp {0}, {1}, [{2}, #{3}]", _pair_ok),
    "STP_rrm": Spec(("x", "x", "xsp", "pair"), "stp {0}, {1}, [{2}, #{3}]"),
    "STP_pre": Spec(("x", "x", "xsp", "pair"), "stp {0}, {1}, [{2}, #{3}]!", _wb_ok),
    "LDP_post": Spec(("x", "x", "xsp", "pair"), "ldp {0}, {1}, [{2}], #{3}", _ldp_wb_ok),
    "B_j": Spec(("j26",), "b #{0}"),
    "BL_j": Spec(("j26",), "bl #{0}"),
    "B_cond_cj": Spec(("c", "j19"), "b.{0} #{1}"),
    "CBZ_rj": Spec(("x", "j19"), "cbz {0}, #{1}"),
    "CBNZ_rj": Spec(("x", "j19"), "cbnz {0}, #{1}"),
    "BR_r": Spec(("x",), "br {0}"),
    "BLR_r": Spec(("x",), "blr {0}"),
    "RET": Spec((), "ret"),
    "NOP": Spec((), "nop"),
    "BRK_i": Spec(("imm16",), "brk #{0}"),
    "FADD_ddd": Spec(("d", "d", "d"), "fadd {0}, {1}, {2}"),
    "FSUB_ddd": Spec(("d", "d", "d"), "fsub {0}, {1}, {2}"),
    "FMUL_ddd": Spec(("d", "d", "d"), "fmul {0}, {1}, {2}"),
    "FDIV_ddd": Spec(("d", "d", "d"), "fdiv {0}, {1}, {2}"),
    "FMIN_ddd": Spec(("d", "d", "d"), "fmin {0}, {1}, {2}"),
    "FMAX_ddd": Spec(("d", "d", "d"), "fmax {0}, {1}, {2}"),
    "FSQRT_dd": Spec(("d", "d"), "fsqrt {0}, {1}"),
    "FNEG_dd": Spec(("d", "d"), "fneg {0}, {1}"),
    "FABS_dd": Spec(("d", "d"), "fabs {0}, {1}"),
    "FMOV_dd": Spec(("d", "d"), "fmov {0}, {1}"),
    "FRINTM_dd": Spec(("d", "d"), "frintm {0}, {1}"),
    "FRINTP_dd": Spec(("d", "d"), "frintp {0}, {1}"),
    "FRINTZ_dd": Spec(("d", "d"), "frintz {0}, {1}"),
    "FRINTN_dd": Spec(("d", "d"), "frintn {0}, {1}"),
    "FCMP_dd": Spec(("d", "d"), "fcmp {0}, {1}"),
    "FCMP_d0": Spec(("d",), "fcmp {0}, #0.0"),
    "FCVT_sd": Spec(("s", "d"), "fcvt {0}, {1}"),
    "FCVT_ds": Spec(("d", "s"), "fcvt {0}, {1}"),
    "FMOV_dr": Spec(("d", "x"), "fmov {0}, {1}"),
    "FMOV_rd": Spec(("x", "d"), "fmov {0}, {1}"),
    "SCVTF_dr": Spec(("d", "x"), "scvtf {0}, {1}"),
    "FCVTZS_rd": Spec(("x", "d"), "fcvtzs {0}, {1}"),
}


def instruction_methods() -> list[str]:
    return sorted(n for n, _ in inspect.getmembers(A64Encoder, inspect.isfunction)
                  if n[0].isupper())


# -- case generation --------------------------------------------------------

@dataclass(frozen=True)
class Case:
    method: str
    args: tuple[Any, ...]
    lines: tuple[str, ...]
    words: tuple[int, ...]


def _encode(method: str, args: list[Any]) -> tuple[int, ...]:
    enc = A64Encoder()
    at = getattr(enc, method)(*args)
    assert at == 0
    data = enc.bytes()
    assert len(data) % 4 == 0 and data
    return tuple(int.from_bytes(data[i:i + 4], "little") for i in range(0, len(data), 4))


def _gen_args(spec: Spec, rng: random.Random) -> list[list[Any]]:
    kinds = [KINDS[k] for k in spec.kinds]
    ok = spec.valid or (lambda *a: True)

    def draw(fixed: dict[int, Any]) -> list[Any] | None:
        for _ in range(50):
            args = [fixed.get(i, k.rand(rng)) for i, k in enumerate(kinds)]
            if ok(*args):
                return args
        return None

    out = []
    for pos, kind in enumerate(kinds):
        for v in kind.edges:
            args = draw({pos: v})
            if args is not None:
                out.append(args)
    out += [a for a in (draw({}) for _ in range(N_RANDOM if kinds else 1)) if a is not None]
    return out


@lru_cache(maxsize=None)
def all_cases() -> dict[str, tuple[Case, ...]]:
    rng = random.Random(0xA64)
    cases = {}
    for method, spec in SPECS.items():
        cases[method] = tuple(
            Case(method, tuple(a), tuple(spec.render(a)), _encode(method, a))
            for a in _gen_args(spec, rng))
    return cases


# -- text canonicalisation (aliases as both printers show them) ------------

def _num(s: str) -> int:
    return int(s, 0)


def _cond_alias(m: re.Match[str]) -> str:
    op, rd, rn, rm, cc = m.groups()
    if rn != rm or cc in ("al", "nv"):
        return m.group(0)
    inv = R.CC_NAMES[R.CC_NAMES.index(cc) ^ 1]
    if op == "csinc":
        return f"cset {rd}, {inv}" if rn == "xzr" else f"cinc {rd}, {rn}, {inv}"
    return f"cneg {rd}, {rn}, {inv}"


def _bfm_alias(m: re.Match[str]) -> str:
    op, rd, rn, r, s = m.group(1), m.group(2), m.group(3), _num(m.group(4)), _num(m.group(5))
    if s == 63:
        return f"{'lsr' if op == 'ubfm' else 'asr'} {rd}, {rn}, #{r}"
    if op == "ubfm" and s + 1 == r:
        return f"lsl {rd}, {rn}, #{63 - s}"
    if op == "sbfm" and r == 0 and s == 31:
        return f"sxtw {rd}, {'wzr' if rn == 'xzr' else 'w' + rn[1:]}"
    return m.group(0)


def _movw_alias(m: re.Match[str]) -> str:
    op, rd, imm, shift = m.group(1), m.group(2), _num(m.group(3)), _num(m.group(4) or "0")
    if op == "movk" or (imm == 0 and shift != 0):
        return f"{op} {rd}, #{imm}" + (f", lsl #{shift}" if shift else "")
    value = imm << shift
    return f"mov {rd}, #{value if op == 'movz' else ~value & MASK64}"


ALIASES: list[tuple[str, str | Callable[[re.Match[str]], str]]] = [
    (r"subs xzr, (\S+), (.+)", r"cmp \1, \2"),
    (r"adds xzr, (\S+), (.+)", r"cmn \1, \2"),
    (r"ands xzr, (\S+), (.+)", r"tst \1, \2"),
    (r"sub (\S+), xzr, (\S+)", r"neg \1, \2"),
    (r"subs (\S+), xzr, (\S+)", r"negs \1, \2"),
    (r"orr (\S+), xzr, (.+)", r"mov \1, \2"),
    (r"orn (\S+), xzr, (\S+)", r"mvn \1, \2"),
    (r"add (sp), (\S+), #0", r"mov \1, \2"),
    (r"add (\S+), (sp), #0", r"mov \1, \2"),
    (r"madd (\S+), (\S+), (\S+), xzr", r"mul \1, \2, \3"),
    (r"msub (\S+), (\S+), (\S+), xzr", r"mneg \1, \2, \3"),
    (r"(lsl|lsr|asr)v (.+)", r"\1 \2"),
    (r"(ubfm|sbfm) (\S+), (\S+), #(\w+), #(\w+)", _bfm_alias),
    (r"(csinc|csneg) (\S+), (\S+), (\S+), (\w+)", _cond_alias),
    (r"(movz|movn|movk) (\S+), #(\w+)(?:, lsl #(\d+))?", _movw_alias),
]


def canon(text: str) -> str:
    """Whitespace, alias and number normalised form of one instruction."""
    t = re.sub(r"\s+", " ", text.strip().lower()).replace(" ,", ",")
    for pat, repl in ALIASES:
        m = re.fullmatch(pat, t)
        if m:
            t = m.expand(repl) if isinstance(repl, str) else repl(m)
            break
    t = re.sub(r", #0\](?!!)", "]", t)  # [xN, #0] prints as [xN]
    return re.sub(r"#(-?(?:0x[0-9a-f]+|\d+))(?![\w.])",
                  lambda m: f"#{_num(m.group(1)) & MASK64}", t)


# -- oracle 1: llvm-mc -------------------------------------------------------

ENC_RE = re.compile(r"^\s*(.*?)\s*//\s*encoding: \[([^\]]*)\]")


def llvm_mc(lines: list[str]) -> tuple[list[tuple[str, int]], str]:
    """Assemble lines in one run: (printed text, word) per line, and stderr."""
    proc = subprocess.run([LLVM_MC, "-triple=aarch64", "-show-encoding"],
                          input="\n".join(lines) + "\n", capture_output=True,
                          text=True, timeout=120)
    out = []
    for line in proc.stdout.splitlines():
        m = ENC_RE.match(line)
        if m:
            data = bytes(int(b, 16) for b in m.group(2).split(","))
            assert len(data) == 4, line
            out.append((m.group(1), int.from_bytes(data, "little")))
    return out, proc.stderr


@lru_cache(maxsize=None)
def llvm_results() -> dict[str, list[tuple[str, int]]]:
    cases = all_cases()
    lines = [ln for method in SPECS for case in cases[method] for ln in case.lines]
    out, err = llvm_mc(lines)
    assert "error" not in err, err[:4000]
    assert len(out) == len(lines), (len(out), len(lines))
    results: dict[str, list[tuple[str, int]]] = {}
    it = iter(out)
    for method in SPECS:
        results[method] = [next(it) for case in cases[method] for _ in case.lines]
    return results


@need_llvm
@pytest.mark.parametrize("method", list(SPECS))
def test_llvm_mc_encoding(method: str) -> None:
    printed = llvm_results()[method]
    flat = [(case, ln, w) for case in all_cases()[method] for ln, w in zip(case.lines, case.words)]
    assert len(flat) == len(printed)
    bad = []
    for (case, line, word), (text, llvm_word) in zip(flat, printed):
        if word != llvm_word or canon(text) != canon(line):
            bad.append(f"{method}{case.args}: {line!r} ours {word:#010x} "
                       f"llvm {llvm_word:#010x} {text!r}")
    assert not bad, "\n".join(bad[:20])


# -- oracle 2: capstone -------------------------------------------------------

@lru_cache(maxsize=None)
def disassembler() -> Any:
    arch = getattr(capstone, "CS_ARCH_ARM64", None) or capstone.CS_ARCH_AARCH64
    return capstone.Cs(arch, capstone.CS_MODE_ARM)


def cs_text(word: int) -> str:
    insns = list(disassembler().disasm(word.to_bytes(4, "little"), 0))
    assert len(insns) == 1, f"capstone cannot decode {word:#010x}"
    return f"{insns[0].mnemonic} {insns[0].op_str}"


@need_capstone
@pytest.mark.parametrize("method", list(SPECS))
def test_capstone_decoding(method: str) -> None:
    bad = []
    for case in all_cases()[method]:
        assert len(case.lines) == len(case.words)
        for line, word in zip(case.lines, case.words):
            got = cs_text(word)
            if canon(got) != canon(line):
                bad.append(f"{method}{case.args}: {word:#010x} expected {line!r} "
                           f"({canon(line)!r}) capstone {got!r}")
    assert not bad, "\n".join(bad[:20])


# -- coverage -------------------------------------------------------------------

def test_every_instruction_method_is_covered() -> None:
    methods = instruction_methods()
    assert set(methods) == set(SPECS), set(methods) ^ set(SPECS)
    cases = all_cases()
    for method in methods:
        assert cases[method], method
        regs = [i for i, k in enumerate(SPECS[method].kinds) if k in ("x", "xsp", "w", "d", "s")]
        for i in regs:  # every register number used in every register operand
            assert {c.args[i] for c in cases[method]} == set(range(32)), (method, i)
    assert sum(len(c) for c in cases.values()) > 5000


# -- MOV_ri semantics via capstone ---------------------------------------------

MOV_RE = re.compile(r"(mov|movz|movn|movk|orr) (x\d+), (?:xzr, )?#(-?\w+)(?:, lsl #(\d+))?")


def simulate(texts: list[str]) -> tuple[int, str]:
    """Register value after a decoded move sequence, and the register name."""
    value: int | None = None
    regs = set()
    for text in texts:
        m = MOV_RE.fullmatch(text.strip())
        assert m, text
        op, reg, imm, shift = m.group(1), m.group(2), _num(m.group(3)), int(m.group(4) or 0)
        regs.add(reg)
        if op in ("mov", "orr"):
            assert shift == 0, text
            value = imm & MASK64
        elif op == "movz":
            value = imm << shift
        elif op == "movn":
            value = ~(imm << shift) & MASK64
        else:
            assert value is not None, "movk first"
            value = (value & ~(0xFFFF << shift)) | (imm << shift)
    assert value is not None and len(regs) == 1
    return value, regs.pop()


def _mov_values() -> list[int]:
    rng = random.Random(64)
    return VALUE_EDGES + [_rand_value(rng) for _ in range(400)] + BITMASK_EDGES


@need_capstone
def test_mov_ri_loads_value() -> None:
    for i, value in enumerate(_mov_values()):
        rd = i % 31
        enc = A64Encoder()
        enc.NOP()
        assert enc.MOV_ri(rd, value) == 4
        data = enc.bytes()[4:]
        words = [int.from_bytes(data[j:j + 4], "little") for j in range(0, len(data), 4)]
        got, reg = simulate([cs_text(w) for w in words])
        assert got == value & MASK64 and reg == f"x{rd}", (hex(value), words)
        halves = [(value >> s) & 0xFFFF for s in (0, 16, 32, 48)]
        wide = max(1, min(sum(h != 0 for h in halves), sum(h != 0xFFFF for h in halves)))
        assert len(words) <= wide, hex(value)
        if wide > 1 and encode_bitmask(value) is not None:
            assert len(words) == 1, hex(value)


# -- encode_bitmask ---------------------------------------------------------------

def test_bitmask_exhaustive_roundtrip() -> None:
    assert len(BITMASKS) == 5334
    for value, fields in BITMASKS.items():
        assert encode_bitmask(value) == fields, hex(value)
        if value >> 63:  # the same bits spelled as a negative number
            assert encode_bitmask(value - (1 << 64)) == fields


def test_bitmask_rejects() -> None:
    for v in (0, MASK64, -1, 1 << 64, -(1 << 63) - 1, 0x1234, 0x5, 0x8000000000000001 | 4):
        assert encode_bitmask(v) is None, hex(v)
    rng = random.Random(5)
    for _ in range(3000):
        v = rng.getrandbits(64)
        assert (encode_bitmask(v) is None) == (v not in BITMASKS)


@need_llvm
def test_bitmask_against_llvm_mc() -> None:
    rng = random.Random(7)
    good = BITMASK_EDGES + rng.sample(BITMASK_VALUES, 300)
    lines = [f"and x0, x1, #{v:#x}" for v in good]
    out, err = llvm_mc(lines)
    assert not err and len(out) == len(good)
    for v, (_, word) in zip(good, out):
        enc = A64Encoder()
        enc.AND_rri(0, 1, v)
        assert enc.bytes() == word.to_bytes(4, "little"), hex(v)
    bad = [0, MASK64, 0x1234, 0x5, 0xF0F0F0F0F0F0F0F1]
    bad += [v for v in (rng.getrandbits(64) for _ in range(60)) if v not in BITMASKS]
    out, err = llvm_mc([f"and x0, x1, #{v:#x}" for v in bad])
    assert not out and err.count("error:") == len(bad)
    for v in bad:
        with pytest.raises(EncodingError):
            A64Encoder().AND_rri(0, 1, v)


# -- field ranges -----------------------------------------------------------------

BAD_OPERANDS: list[tuple[str, tuple[Any, ...]]] = [
    ("ADD_rrr", (32, 0, 0)), ("ADD_rrr", (0, -1, 0)), ("ADD_rrr", (0, 0, 32)),
    ("ADD_rrr", (0, 0, True)), ("ADD_rrr", (0, 0, 1.0)),
    ("ADD_rri", (0, 0, -1)), ("ADD_rri", (0, 0, 4097)), ("ADD_rri", (0, 0, 4096 << 12)),
    ("SUB_rri", (0, 0, 0x1001000)), ("CMP_ri", (0, 1 << 24)), ("CMN_ri", (32, 0)),
    ("MADD_rrrr", (0, 0, 0, 32)), ("CSEL_rrrc", (0, 0, 0, 15)), ("CSINC_rrrc", (0, 0, 0, -1)),
    ("CSET_rc", (0, R.AL)), ("CSET_rc", (0, 15)),
    ("LSL_rri", (0, 0, 64)), ("LSR_rri", (0, 0, -1)), ("ASR_rri", (0, 0, 64)),
    ("AND_rri", (0, 0, 0)), ("ORR_rri", (0, 0, -1)), ("EOR_rri", (0, 0, 0x1234)),
    ("AND_rri", (0, 0, 1 << 64)),
    ("MOV_rsp", (31,)), ("MOV_spr", (31,)), ("MOV_ri", (31, 5)),
    ("MOV_ri", (0, 1 << 64)), ("MOV_ri", (0, -(1 << 63) - 1)),
    ("MOVZ_rii", (0, 1 << 16, 0)), ("MOVK_rii", (0, -1, 0)), ("MOVN_rii", (0, 0, 8)),
    ("MOVZ_rii", (0, 0, 64)),
    ("LDR_rm", (0, 0, 32768)), ("LDR_rm", (0, 0, 257)), ("STR_rm", (0, 0, -257)),
    ("LDR_dm", (0, 0, 32761)), ("STR_dm", (32, 0, 0)), ("LDR_rm", (0, 32, 0)),
    ("LDR_rx", (0, 0, 0, 1)), ("LDR_rx", (0, 0, 32, False)), ("STRB_rx", (0, -1, 0, False)),
    ("LDP_rrm", (0, 1, 2, 4)), ("LDP_rrm", (0, 1, 2, 512)), ("STP_rrm", (0, 1, 2, -520)),
    ("LDP_rrm", (3, 3, 2, 0)), ("LDP_post", (0, 1, 1, 16)), ("LDP_post", (0, 0, 31, 16)),
    ("STP_pre", (0, 1, 0, -16)), ("STP_pre", (0, 1, 31, -17)),
    ("B_j", (2,)), ("B_j", (1 << 27,)), ("BL_j", (-(1 << 27) - 4,)),
    ("B_cond_cj", (0, 1 << 20)), ("B_cond_cj", (15, 0)), ("B_cond_cj", (0, 6)),
    ("CBZ_rj", (0, -(1 << 20) - 4)), ("CBNZ_rj", (32, 0)), ("LDR_literal_rj", (0, 2)),
    ("BR_r", (32,)), ("BRK_i", (1 << 16,)), ("FADD_ddd", (0, 0, 32)), ("FCMP_d0", (-1,)),
    ("FMOV_dr", (0, 32)), ("SCVTF_dr", (32, 0)),
]


@pytest.mark.parametrize("method,args", BAD_OPERANDS)
def test_out_of_range_operands_raise(method: str, args: tuple[Any, ...]) -> None:
    enc = A64Encoder()
    enc.NOP()
    with pytest.raises(EncodingError):
        getattr(enc, method)(*args)
    assert enc.pos == 4  # nothing emitted
    assert issubclass(EncodingError, ValueError)


def test_emit_and_bytes() -> None:
    enc = A64Encoder()
    assert enc.pos == 0 and enc.bytes() == b""
    assert enc.emit(0xD503201F) == 0
    assert enc.RET() == 4
    assert enc.bytes() == bytes.fromhex("1f2003d5c0035fd6")
    for bad in (-1, 1 << 32):
        with pytest.raises(EncodingError):
            enc.emit(bad)


# -- patch_branch ---------------------------------------------------------------

PATCHABLE = [
    ("B_j", (), 1 << 27), ("BL_j", (), 1 << 27), ("B_cond_cj", (R.NE,), 1 << 20),
    ("CBZ_rj", (7,), 1 << 20), ("CBNZ_rj", (31,), 1 << 20), ("LDR_literal_rj", (9,), 1 << 20),
]


@pytest.mark.parametrize("method,lead,limit", PATCHABLE)
def test_patch_branch(method: str, lead: tuple[int, ...], limit: int) -> None:
    for target_off in (0, 4, -4, 4096, -8192, limit - 4, -limit):
        enc = A64Encoder()
        for _ in range(3):
            enc.NOP()
        at = getattr(enc, method)(*lead, 0)
        enc.NOP()
        enc.patch_branch(at, at + target_off)
        ref = A64Encoder()
        getattr(ref, method)(*lead, target_off)
        assert enc.word_at(at) == ref.word_at(0), (method, target_off)
        assert enc.word_at(at + 4) == 0xD503201F
    for off in (limit, -limit - 4, 2):
        with pytest.raises(EncodingError):
            enc.patch_branch(at, at + off)


def test_patch_branch_rejects_other_words() -> None:
    enc = A64Encoder()
    enc.NOP()
    enc.ADD_rrr(0, 1, 2)
    enc.BR_r(3)
    for at in (0, 4, 8):
        with pytest.raises(EncodingError):
            enc.patch_branch(at, 0)
    with pytest.raises(EncodingError):
        enc.patch_branch(12, 0)  # past the end
    with pytest.raises(EncodingError):
        enc.patch_branch(2, 0)  # misaligned


# -- registers ------------------------------------------------------------------

def test_registers() -> None:
    assert (R.X0, R.X29, R.X30, R.XZR, R.SP, R.D31) == (0, 29, 30, 31, 31, 31)
    assert len(R.GPR_NAMES) == 32 and R.GPR_NAMES[31] == "xzr"
    assert R.FPR_NAMES[8] == "d8" and len(R.FPR_NAMES) == 32
    assert (R.HS, R.CS, R.LO, R.CC, R.AL) == (2, 2, 3, 3, 14)
    pairs = [(R.EQ, R.NE), (R.HS, R.LO), (R.MI, R.PL), (R.VS, R.VC),
             (R.HI, R.LS), (R.GE, R.LT), (R.GT, R.LE)]
    for a, b in pairs:
        assert R.cc_invert(a) == b and R.cc_invert(b) == a
    assert R.ARG_GPRS == tuple(range(8)) and R.ARG_FPRS == tuple(range(8))
    assert R.CALLEE_SAVED_GPRS == tuple(range(19, 29))
    assert R.CALLEE_SAVED_FPRS == tuple(range(8, 16))
    assert 18 not in R.CALLER_SAVED_GPRS and {16, 17} <= set(R.CALLER_SAVED_GPRS)
    assert not set(R.CALLER_SAVED_GPRS) & set(R.CALLEE_SAVED_GPRS)
    assert (R.FP, R.LR, R.RET_GPR, R.RET_FPR) == (29, 30, 0, 0)
