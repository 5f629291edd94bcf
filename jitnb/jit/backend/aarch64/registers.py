"""AArch64 register numbers, condition codes and AAPCS64 register roles.

Register encoding 31 is special: depending on the instruction field it names
either the zero register (XZR/WZR) or the stack pointer (SP).  The encoder
documents, per instruction, which of the two a 31 in each operand means.
"""

from __future__ import annotations

# General purpose registers (64-bit view X0..X30).
X0, X1, X2, X3, X4, X5, X6, X7 = range(0, 8)
X8, X9, X10, X11, X12, X13, X14, X15 = range(8, 16)
X16, X17, X18, X19, X20, X21, X22, X23 = range(16, 24)
X24, X25, X26, X27, X28, X29, X30 = range(24, 31)

# Encoding 31: zero register or stack pointer, decided by the instruction.
XZR = 31
SP = 31

FP = X29  # frame pointer
LR = X30  # link register
IP0 = X16  # intra-procedure-call scratch registers
IP1 = X17
PR = X18  # platform register: never allocate

# Floating point / SIMD registers (64-bit view D0..D31).
D0, D1, D2, D3, D4, D5, D6, D7 = range(0, 8)
D8, D9, D10, D11, D12, D13, D14, D15 = range(8, 16)
D16, D17, D18, D19, D20, D21, D22, D23 = range(16, 24)
D24, D25, D26, D27, D28, D29, D30, D31 = range(24, 32)

GPR_NAMES: tuple[str, ...] = tuple(f"x{i}" for i in range(31)) + ("xzr",)
"""Names by encoding; index 31 reads as ``sp`` where the field means SP."""
FPR_NAMES: tuple[str, ...] = tuple(f"d{i}" for i in range(32))

# Condition codes.
EQ, NE, HS, LO, MI, PL, VS, VC = range(0, 8)
HI, LS, GE, LT, GT, LE, AL = range(8, 15)
CS, CC = HS, LO

CC_NAMES: tuple[str, ...] = (
    "eq", "ne", "hs", "lo", "mi", "pl", "vs", "vc",
    "hi", "ls", "ge", "lt", "gt", "le", "al",
)


def cc_invert(cc: int) -> int:
    """The condition that holds exactly when ``cc`` does not (not for AL)."""
    assert 0 <= cc < AL, cc
    return cc ^ 1


# AAPCS64 register roles.
ARG_GPRS: tuple[int, ...] = (X0, X1, X2, X3, X4, X5, X6, X7)
ARG_FPRS: tuple[int, ...] = (D0, D1, D2, D3, D4, D5, D6, D7)
RET_GPR = X0
RET_FPR = D0
# Caller-saved: X0-X15 plus the scratch registers IP0/IP1 (X18 excluded).
CALLER_SAVED_GPRS: tuple[int, ...] = tuple(range(X0, X16)) + (IP0, IP1)
CALLEE_SAVED_GPRS: tuple[int, ...] = tuple(range(X19, X29))
# Only the low 64 bits of D8-D15 are preserved across calls.
CALLEE_SAVED_FPRS: tuple[int, ...] = tuple(range(D8, D16))
CALLER_SAVED_FPRS: tuple[int, ...] = tuple(range(D0, D8)) + tuple(range(D16, 32))
