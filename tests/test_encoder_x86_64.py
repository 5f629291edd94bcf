"""Oracle tests for the x86_64 encoder.

Every instruction method is run over edge-case and seeded random operands.
Each encoding must equal, byte for byte, what the system assembler (``as``)
produces for the same Intel-syntax instruction, and must decode with capstone
to exactly one instruction with the expected operands.
"""

from __future__ import annotations

import functools
import inspect
import itertools
import random
import re
import shutil
import struct
import subprocess
from collections.abc import Callable
from typing import Any

import pytest

from jitnb.jit.backend.x86_64 import registers as R
from jitnb.jit.backend.x86_64.encoder import EncodingError, X86Encoder

METHOD_RE = re.compile(r"^[A-Z][A-Z0-9]*(?:cc)?(?:_[a-z]+)?$")
METHODS = sorted(n for n in vars(X86Encoder) if METHOD_RE.match(n))

Q = ["rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi"] + [f"r{i}" for i in range(8, 16)]
D = ["eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi"] + [f"r{i}d" for i in range(8, 16)]
W = ["ax", "cx", "dx", "bx", "sp", "bp", "si", "di"] + [f"r{i}w" for i in range(8, 16)]
B = ["al", "cl", "dl", "bl", "spl", "bpl", "sil", "dil"] + [f"r{i}b" for i in range(8, 16)]
X = [f"xmm{i}" for i in range(16)]
CC = ["o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g"]
REG_NAMES = {"q": Q, "d": D, "w": W, "b": B, "x": X, "c": CC}
MEM_SIZES = {"Q": "qword ptr ", "D": "dword ptr ", "W": "word ptr ", "B": "byte ptr ", "M": ""}

ALU_OPS = ["ADD", "OR", "AND", "SUB", "XOR", "CMP"]
SHIFT_OPS = ["SHL", "SHR", "SAR"]
SSE_XX = ["ADDSD", "SUBSD", "MULSD", "DIVSD", "SQRTSD", "MINSD", "MAXSD", "UCOMISD",
          "COMISD", "XORPD", "ANDPD", "MOVAPD", "MOVSD", "CVTSS2SD", "CVTSD2SS"]


def _mov_ri(ops: list[Any]) -> str:
    """mov r64, imm: values with a zero upper half are expected as mov r32, imm32."""
    imm = ops[1] - (1 << 64) if ops[1] >= 1 << 63 else ops[1]
    return f"mov {D[ops[0]]}, {imm}" if 0 <= imm < 1 << 32 else f"mov {Q[ops[0]]}, {imm}"


# Expected Intel-syntax text.  Fields are {<kind><operand index>}: q/d/w/b
# GPR of that width, x XMM, c condition suffix, i immediate, t branch target,
# Q/D/W/B sized memory operand, M unsized memory operand.
TEMPLATES: dict[str, str | Callable[[list[Any]], str]] = {
    "MOV_rr": "mov {q0}, {q1}", "MOV_ri": _mov_ri,
    "MOV_rm": "mov {q0}, {Q1}", "MOV_ra": "mov {q0}, {Q1}",
    "MOV_mr": "mov {Q0}, {q1}", "MOV_ar": "mov {Q0}, {q1}", "MOV_mi": "mov {Q0}, {i1}",
    "MOV32_rm": "mov {d0}, {D1}", "MOV32_ra": "mov {d0}, {D1}",
    "MOV32_mr": "mov {D0}, {d1}", "MOV32_ar": "mov {D0}, {d1}",
    "MOVSXD_rm": "movsxd {q0}, {D1}", "MOVSXD_ra": "movsxd {q0}, {D1}",
    "MOVZX8_rr": "movzx {q0}, {b1}",
    "MOVSX8_ra": "movsx {q0}, {B1}", "MOVZX8_ra": "movzx {q0}, {B1}",
    "MOVSX16_ra": "movsx {q0}, {W1}", "MOVZX16_ra": "movzx {q0}, {W1}",
    "MOV8_ar": "mov {B0}, {b1}", "MOV16_ar": "mov {W0}, {w1}",
    **{f"{op}_rr": f"{op.lower()} {{q0}}, {{q1}}" for op in ALU_OPS},
    **{f"{op}_ri": f"{op.lower()} {{q0}}, {{i1}}" for op in ALU_OPS},
    **{f"{op}_rm": f"{op.lower()} {{q0}}, {{Q1}}" for op in ALU_OPS},
    "TEST_rr": "test {q0}, {q1}", "TEST_ri": "test {q0}, {i1}",
    "IMUL_rr": "imul {q0}, {q1}", "IMUL_rri": "imul {q0}, {q1}, {i2}",
    "NEG_r": "neg {q0}", "NOT_r": "not {q0}", "IDIV_r": "idiv {q0}", "CQO": "cqo",
    **{f"{op}_ri": f"{op.lower()} {{q0}}, {{i1}}" for op in SHIFT_OPS},
    **{f"{op}_rcl": f"{op.lower()} {{q0}}, cl" for op in SHIFT_OPS},
    "LEA_rm": "lea {q0}, {M1}", "LEA_ra": "lea {q0}, {M1}",
    "SETcc_r": "set{c0} {b1}", "CMOVcc_rr": "cmov{c0} {q1}, {q2}",
    "Jcc_j": "j{c0} {t1}", "JMP_j": "jmp {t0}", "CALL_j": "call {t0}",
    "JMP_r": "jmp {q0}", "CALL_r": "call {q0}", "RET": "ret",
    "PUSH_r": "push {q0}", "POP_r": "pop {q0}", "NOP": "nop", "UD2": "ud2", "INT3": "int3",
    **{f"{op}_xx": f"{op.lower()} {{x0}}, {{x1}}" for op in SSE_XX},
    "MOVSD_xm": "movsd {x0}, {Q1}", "MOVSD_xa": "movsd {x0}, {Q1}",
    "MOVSD_mx": "movsd {Q0}, {x1}", "MOVSD_ax": "movsd {Q0}, {x1}",
    "MOVSS_xa": "movss {x0}, {D1}", "MOVSS_ax": "movss {D0}, {x1}",
    "CVTSI2SD_xr": "cvtsi2sd {x0}, {q1}", "CVTTSD2SI_rx": "cvttsd2si {q0}, {x1}",
    "MOVQ_xr": "movq {x0}, {q1}", "MOVQ_rx": "movq {q0}, {x1}",
    "ROUNDSD_xxi": "roundsd {x0}, {x1}, {i2}",
}

INT32 = (-(1 << 31), (1 << 31) - 1)
IMM_RANGE: dict[str, tuple[int, int]] = {
    "MOV_ri": (-(1 << 63), (1 << 64) - 1), "MOV_mi": INT32, "TEST_ri": INT32,
    "IMUL_rri": INT32, "ROUNDSD_xxi": (0, 255),
    **{f"{op}_ri": INT32 for op in ALU_OPS},
    **{f"{op}_ri": (0, 63) for op in SHIFT_OPS},
}
DISP_EDGES = [0, 1, -1, 127, 128, -128, -129, (1 << 31) - 1, -(1 << 31)]
IMM_EDGES = [0, 1, -1, 2, 63, 64, 127, 128, -128, -129, 255, 256, (1 << 31) - 1, 1 << 31,
             -(1 << 31), -(1 << 31) - 1, (1 << 32) - 1, 1 << 32, (1 << 63) - 1, -(1 << 63),
             (1 << 64) - 1]
CODE_SLOTS = {"r": ["r"], "x": ["x"], "i": ["i"], "j": ["rel"], "m": ["base", "disp"],
              "a": ["base", "index", "scale", "disp"], "cl": []}


def codes_of(name: str) -> list[str]:
    codes = name.partition("_")[2]
    return re.findall(r"cl|[rximaj]", codes)


def slots_of(name: str) -> list[str]:
    """Argument kinds of a method, in call order."""
    out = ["cc"] if name.partition("_")[0].endswith("cc") else []
    for code in codes_of(name):
        out += CODE_SLOTS[code]
    return out


def domain(name: str, slot: str) -> list[int]:
    if slot in ("cc", "r", "x", "base"):
        return list(range(16))
    if slot == "index":
        return [i for i in range(16) if i != R.RSP]
    if slot == "scale":
        return [1, 2, 4, 8]
    if slot in ("disp", "rel"):
        return DISP_EDGES
    lo, hi = IMM_RANGE[name]
    return [v for v in IMM_EDGES if lo <= v <= hi]


def random_value(rng: random.Random, name: str, slot: str) -> int:
    if slot in ("disp", "rel", "i"):
        lo, hi = IMM_RANGE[name] if slot == "i" else INT32
        bits = rng.choice([4, 8, 16, 31, 64])
        return min(hi, max(lo, rng.randint(-(1 << bits), 1 << bits)))
    return rng.choice(domain(name, slot))


@functools.cache
def cases(name: str) -> list[tuple[int, ...]]:
    """Operand tuples: every pair of slots crossed over their edge domains
    (others at a default), every single slot over a second default, and
    seeded random combinations."""
    slots = slots_of(name)
    doms = [domain(name, s) for s in slots]
    out: set[tuple[int, ...]] = {()} if not slots else set()
    default = [d[(3 * k) % len(d)] for k, d in enumerate(doms)]
    for a, b in itertools.combinations(range(len(slots)), 2):
        for va, vb in itertools.product(doms[a], doms[b]):
            args = list(default)
            args[a], args[b] = va, vb
            out.add(tuple(args))
    other = [d[(5 + 7 * k) % len(d)] for k, d in enumerate(doms)]
    for k, dom in enumerate(doms):
        for v in dom:
            out.add(tuple(other[:k] + [v] + other[k + 1:]))
    rng = random.Random(f"x86-{name}")
    for _ in range(8 if slots else 0):
        out.add(tuple(random_value(rng, name, s) for s in slots))
    return sorted(out)


def group_operands(name: str, args: tuple[int, ...]) -> list[Any]:
    """Gather call arguments into operands; memory becomes (base, index, scale, disp)."""
    ops: list[Any] = []
    it = iter(args)
    if name.partition("_")[0].endswith("cc"):
        ops.append(next(it))
    for code in codes_of(name):
        if code == "m":
            base, disp = next(it), next(it)
            ops.append((base, None, 1, disp))
        elif code == "a":
            ops.append(tuple(next(it) for _ in range(4)))
        elif code != "cl":
            ops.append(next(it))
    return ops


def mem_text(m: tuple[int, int | None, int, int]) -> str:
    base, index, scale, disp = m
    text = Q[base] + (f" + {Q[index]}*{scale}" if index is not None else "")
    if disp:
        text += f" + {disp}" if disp > 0 else f" - {-disp}"
    return f"[{text}]"


def asm_text(name: str, args: tuple[int, ...], length: int, for_as: bool) -> str:
    """Expected instruction text; branch targets are '.+N' for the assembler
    and absolute addresses (code at address 0) for the disassembler."""
    ops = group_operands(name, args)
    template = TEMPLATES[name]
    if callable(template):
        return template(ops)

    def field(m: re.Match[str]) -> str:
        kind, value = m.group(1), ops[int(m.group(2))]
        if kind in MEM_SIZES:
            return MEM_SIZES[kind] + mem_text(value)
        if kind in REG_NAMES:
            return REG_NAMES[kind][value]
        if kind == "t":
            return f".+({length + value})" if for_as else str(length + value)
        return str(value)

    text = re.sub(r"\{(\w)(\d)\}", field, template)
    return "{disp32} " + text if for_as and "{t" in template else text


@functools.cache
def encodings(name: str) -> list[tuple[tuple[int, ...], bytes, int]]:
    """(args, code, returned offset) for every case, each in a fresh encoder."""
    out = []
    for args in cases(name):
        enc = X86Encoder()
        ret = getattr(enc, name)(*args)
        out.append((args, enc.bytes(), ret))
    return out


# -- oracle 1: the system assembler ------------------------------------------

@pytest.fixture(scope="module")
def assembled(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, tuple[int, ...]], bytes]:
    """Assemble every case in one run; labels before each instruction and a
    table of label offsets in a separate section give per-instruction bytes."""
    if not (shutil.which("as") and shutil.which("objcopy")):
        pytest.skip("as/objcopy not available")
    keys, lines = [], [".intel_syntax noprefix", ".text"]
    for name in METHODS:
        for args, code, _ in encodings(name):
            lines += [f"L{len(keys)}:", asm_text(name, args, len(code), True)]
            keys.append((name, args))
    lines += [f"L{len(keys)}:", '.section .offs,"a"']
    for k in range(0, len(keys) + 1, 32):
        lines.append(".long " + ", ".join(f"L{j}-L0" for j in range(k, min(k + 32, len(keys) + 1))))
    tmp = tmp_path_factory.mktemp("as")
    (tmp / "cases.s").write_text("\n".join(lines) + "\n")
    run = subprocess.run(["as", "--64", "-o", str(tmp / "cases.o"), str(tmp / "cases.s")],
                         capture_output=True, text=True)
    if run.returncode:
        pytest.fail("as failed:\n" + "\n".join(run.stderr.splitlines()[:20]))
    for section in ("text", "offs"):
        subprocess.run(["objcopy", "-O", "binary", f"--only-section=.{section}",
                        str(tmp / "cases.o"), str(tmp / f"{section}.bin")], check=True)
    text = (tmp / "text.bin").read_bytes()
    offs_bin = (tmp / "offs.bin").read_bytes()
    offs = struct.unpack(f"<{len(keys) + 1}I", offs_bin)
    return {key: text[offs[k]:offs[k + 1]] for k, key in enumerate(keys)}


@pytest.mark.parametrize("name", METHODS)
def test_matches_assembler(name: str, assembled: dict[tuple[str, tuple[int, ...]], bytes]) -> None:
    bad = [f"{name}{args}: {asm_text(name, args, len(code), True)!r}: "
           f"ours {code.hex(' ')} != as {assembled[name, args].hex(' ')}"
           for args, code, _ in encodings(name) if code != assembled[name, args]]
    assert not bad, f"{len(bad)} mismatches, first:\n" + "\n".join(bad[:8])


# -- oracle 2: disassembler round trip ---------------------------------------

NUMBER = re.compile(r"-?(?:0x[0-9a-f]+|\d+)")


def canonical_mem(inner: str) -> str:
    base = index = None
    scale, disp = "1", 0
    for term in filter(None, inner.replace(" ", "").replace("-", "+-").split("+")):
        if "*" in term:
            index, scale = term.split("*")
        elif NUMBER.fullmatch(term):
            disp += int(term, 0)
        elif base is None:
            base = term
        else:
            index = term
    return f"[{base}+{index}*{scale}+{disp}]"


def normalize(text: str) -> str:
    """Canonical text: immediates mod 2**64 in decimal, memory as
    [base+index*scale+disp], movabs spelled mov."""
    mnemonic, _, rest = " ".join(text.lower().split()).partition(" ")
    ops = []
    for op in filter(None, (o.strip() for o in rest.split(","))):
        m = re.fullmatch(r"((?:\w+ ptr )?)\[(.*)\]", op)
        if m:
            op = m.group(1) + canonical_mem(m.group(2))
        elif NUMBER.fullmatch(op):
            op = str(int(op, 0) % (1 << 64))
        ops.append(op)
    return f"{'mov' if mnemonic == 'movabs' else mnemonic} {', '.join(ops)}".strip()


@pytest.fixture(scope="module")
def disassembler() -> Any:
    capstone = pytest.importorskip("capstone")
    return capstone.Cs(capstone.CS_ARCH_X86, capstone.CS_MODE_64)


@pytest.mark.parametrize("name", METHODS)
def test_capstone_round_trip(name: str, disassembler: Any) -> None:
    is_branch = name.endswith("_j")
    bad = []
    for args, code, ret in encodings(name):
        insns = list(disassembler.disasm_lite(code, 0))
        expected = asm_text(name, args, len(code), False)
        got = " ".join(insns[0][2:]) if insns else "<undecodable>"
        if len(insns) != 1 or insns[0][1] != len(code) or normalize(got) != normalize(expected):
            bad.append(f"{name}{args}: {code.hex(' ')} decodes as {got!r}, expected {expected!r}")
        elif ret != (len(code) - 4 if is_branch else 0):
            bad.append(f"{name}{args}: returned {ret}")
    assert not bad, f"{len(bad)} mismatches, first:\n" + "\n".join(bad[:8])


# -- operand validation ------------------------------------------------------

def bad_values(name: str, slot: str) -> list[Any]:
    common: list[Any] = [None, 1.0, "0", True]
    if slot in ("cc", "r", "x", "base"):
        return [-1, 16, *common]
    if slot == "index":
        return [R.RSP, -1, 16, *common]
    if slot == "scale":
        return [0, 3, 16, -1, *common]
    if slot in ("disp", "rel"):
        return [1 << 31, -(1 << 31) - 1, *common]
    lo, hi = IMM_RANGE[name]
    return [lo - 1, hi + 1, *common]


@pytest.mark.parametrize("name", METHODS)
def test_rejects_out_of_range(name: str) -> None:
    slots = slots_of(name)
    valid = cases(name)[0]
    for k, slot in enumerate(slots):
        for value in bad_values(name, slot):
            enc = X86Encoder()
            enc.NOP()
            args = valid[:k] + (value,) + valid[k + 1:]
            with pytest.raises(EncodingError):
                getattr(enc, name)(*args)
            assert enc.bytes() == b"\x90", f"{name}{args} emitted bytes before failing"


def test_encoding_error_is_value_error() -> None:
    assert issubclass(EncodingError, ValueError)


def test_wrong_argument_count_is_type_error() -> None:
    enc = X86Encoder()
    with pytest.raises(TypeError):
        enc.ADD_rr(R.RAX)
    with pytest.raises(TypeError):
        enc.MOV_ra(R.RAX, R.RBX, R.RCX, 8)


def test_keyword_arguments() -> None:
    a, b = X86Encoder(), X86Encoder()
    a.MOV_ra(dst=R.RAX, base=R.R12, index=R.R13, scale=8, disp=-8)
    b.MOV_ra(R.RAX, R.R12, R.R13, 8, -8)
    assert a.bytes() == b.bytes()


# -- coverage and buffer helpers ---------------------------------------------

def test_every_method_is_exercised() -> None:
    assert len(METHODS) > 80
    assert set(METHODS) == set(TEMPLATES), "methods and oracle templates differ"
    for name in METHODS:
        params = list(inspect.signature(getattr(X86Encoder, name)).parameters)[1:]
        assert len(params) == len(slots_of(name)), name
        assert cases(name), name
        if "i" in slots_of(name):
            assert name in IMM_RANGE, name


def test_pos_bytes_and_patch_rel32() -> None:
    enc = X86Encoder()
    assert enc.pos == 0 and enc.bytes() == b""
    top = enc.pos
    enc.NOP()
    field = enc.Jcc_j(R.CC_NE, 0)
    assert field == 3 and enc.pos == 7
    back = enc.JMP_j(0)
    enc.patch_rel32(field, enc.pos)  # forward: skip the jmp
    enc.patch_rel32(back, top)  # backward: to the start
    assert enc.bytes() == bytes.fromhex("90 0f 85 05 00 00 00 e9 f4 ff ff ff")
    with pytest.raises(EncodingError):
        enc.patch_rel32(enc.pos - 3, 0)
    with pytest.raises(EncodingError):
        enc.patch_rel32(back, 1 << 32)


def test_return_offsets_continue_in_buffer() -> None:
    enc = X86Encoder()
    assert enc.NOP() == 0
    assert enc.MOV_ri(R.RAX, 1 << 40) == 1
    assert enc.CALL_j(0) == 12 and enc.pos == 16


def test_registers() -> None:
    assert [R.RAX, R.RSP, R.R8, R.R15, R.XMM0, R.XMM15] == [0, 4, 8, 15, 0, 15]
    assert R.GPR_NAMES == Q and R.XMM_NAMES == X and R.CC_NAMES == CC
    assert (R.CC_E, R.CC_NE, R.CC_L, R.CC_G) == (4, 5, 0xC, 0xF)
    for cc in range(16):
        assert R.cc_invert(R.cc_invert(cc)) == cc != R.cc_invert(cc)
    assert R.cc_invert(R.CC_L) == R.CC_GE and R.cc_invert(R.CC_A) == R.CC_BE
    assert R.ARG_GPRS == (R.RDI, R.RSI, R.RDX, R.RCX, R.R8, R.R9)
    saved = set(R.CALLER_SAVED_GPRS) | set(R.CALLEE_SAVED_GPRS)
    assert not set(R.CALLER_SAVED_GPRS) & set(R.CALLEE_SAVED_GPRS)
    assert saved == set(range(16)) - {R.RSP}
