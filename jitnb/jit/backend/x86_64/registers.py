"""x86_64 register numbers, condition codes and System V AMD64 ABI register roles.

General purpose registers and XMM registers are separate namespaces, both
numbered 0..15 exactly as they are encoded (low 3 bits in ModRM/SIB/opcode,
bit 3 in the REX prefix).
"""

from __future__ import annotations

# General purpose registers (64-bit view).
RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI = range(0, 8)
R8, R9, R10, R11, R12, R13, R14, R15 = range(8, 16)

GPR_NAMES: list[str] = [
    "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
    "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
]

# SSE registers.
XMM0, XMM1, XMM2, XMM3, XMM4, XMM5, XMM6, XMM7 = range(0, 8)
XMM8, XMM9, XMM10, XMM11, XMM12, XMM13, XMM14, XMM15 = range(8, 16)

XMM_NAMES: list[str] = [f"xmm{i}" for i in range(16)]

# Condition codes: the low nibble of Jcc / SETcc / CMOVcc opcodes.
CC_O, CC_NO, CC_B, CC_AE, CC_E, CC_NE, CC_BE, CC_A = range(0, 8)
CC_S, CC_NS, CC_P, CC_NP, CC_L, CC_GE, CC_LE, CC_G = range(8, 16)
CC_Z, CC_NZ = CC_E, CC_NE  # aliases

CC_NAMES: list[str] = [
    "o", "no", "b", "ae", "e", "ne", "be", "a",
    "s", "ns", "p", "np", "l", "ge", "le", "g",
]


def cc_invert(cc: int) -> int:
    """Return the condition code testing the opposite condition."""
    return cc ^ 1


# System V AMD64 calling convention.
ARG_GPRS: tuple[int, ...] = (RDI, RSI, RDX, RCX, R8, R9)
ARG_XMMS: tuple[int, ...] = (XMM0, XMM1, XMM2, XMM3, XMM4, XMM5, XMM6, XMM7)
RET_GPRS: tuple[int, ...] = (RAX, RDX)
RET_XMMS: tuple[int, ...] = (XMM0, XMM1)
CALLER_SAVED_GPRS: tuple[int, ...] = (RAX, RCX, RDX, RSI, RDI, R8, R9, R10, R11)
CALLEE_SAVED_GPRS: tuple[int, ...] = (RBX, RBP, R12, R13, R14, R15)
CALLER_SAVED_XMMS: tuple[int, ...] = tuple(range(16))  # no XMM is preserved
CALLEE_SAVED_XMMS: tuple[int, ...] = ()
STACK_ALIGNMENT = 16  # RSP % 16 == 0 at every call instruction
RED_ZONE = 128  # bytes below RSP a leaf function may use without adjusting it
