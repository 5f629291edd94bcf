"""Unicorn executor: run a CodeImage's machine code in an emulator, on any host.

    host memory ══ identity ══► emulator memory (one emulator per architecture):
        code images (r-x), a stack, frames, a trap page of `ret`s, and, on first touch
        during a run, whatever other host page the code reads or writes
    run(frame) ─► frame and entry to the trampoline's slots ─► emu_start(trampoline):
        it sets the stack pointer and argument, calls the entry, stores the result
    call_f / call_loop targets outside the emulator ─► relocated to trap addresses;
        a code hook on the trap page services the call in Python, the `ret` returns

Every mapping is of host memory at its own host address (``mem_map_ptr``), so an
address means the same thing to the emulated code as to Python: frames are ctypes
arrays, ``array.array`` buffers are used in place, ``call_loop`` descriptors built for
native code (frame and entry addresses) work unchanged, and another thread stops a
loop by writing its frame word 0, which the code polls at its back-edge.  Code buffers
are read-write (never executable) in the host; a patch rewrites the bytes and drops
the emulator's translations of them.  Host pages borrowed during a run are unmapped
when it ends (the host may free them afterwards).

Helper calls: each ``call_f`` target (a C function) gets a trap slot; the hook reads
the argument registers, calls the function through ctypes, writes the result
register and poisons every other caller-saved register (so code that wrongly keeps a
value in one across a call fails here too).  A ``call_loop`` target inside the same
emulator is called directly; any other target (native code, another architecture's
emulator, the reference interpreter) gets a trap that runs it on its frame array.

Speed (what a steady run costs is Unicorn's own work): the TLB is virtual and filled
by a hook (no memory hooks: any of them, like writable-and-executable TLB entries,
sends every store through Unicorn's slow path); the only code hook covers the trap
pages, so translated blocks of jitnb's code chain freely; ``emu_start`` gets neither
a timeout (a watchdog thread per call) nor a count (a hook per instruction); runs and
traps touch registers through the C API.  What remains is per translation block (a
helper call at each block's start: every conditional branch costs ~1.5 ns) and per
float instruction (a soft-float helper, ~8 ns).
"""
from __future__ import annotations

import atexit
import bisect
import ctypes
import struct
import threading
import time
import weakref
from typing import Any, Callable, Sequence

from ..jit.backend.image import CodeImage
from .loaded import LoadedCode
from .native import (LOOP_FUNC, MAP_ANONYMOUS, MAP_PRIVATE, PAGE, PROT_READ, PROT_WRITE,
                     _check, _mmap, _munmap, from_slot, host_mappings, store)

MASK64 = (1 << 64) - 1
STACK_SIZE = 1 << 20
ARENA_SIZE = 1 << 16
TRAP_SLOT = 8
POISON = 0x5A5A5A5A00000000     # caller-saved registers after a serviced call: POISON + k
TCG_BUFFER = 128 << 20          # the emulator's translation cache
EMULATOR_RWX: list[tuple[int, int]] = []    # host ranges Unicorn maps read-write-execute


_DOUBLE = struct.Struct("<d")
_QWORD = struct.Struct("<Q")


def _bits_float(bits: int) -> float:
    return _DOUBLE.unpack(_QWORD.pack(bits & MASK64))[0]


def _float_bits(x: float) -> int:
    return _QWORD.unpack(_DOUBLE.pack(x))[0]


def _signed(v: int) -> int:
    v &= MASK64
    return v - (1 << 64) if v >> 63 else v


def _host_map(size: int, hint: int | None = None) -> int:
    """Fresh zeroed host pages, read-write (the emulator gets its own permissions)."""
    addr = _mmap(hint, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
    if addr is None or addr == ctypes.c_void_p(-1).value:
        err = ctypes.get_errno()
        raise OSError(err, "mmap failed")
    return addr


def _rwx_mappings() -> list[tuple[int, int]]:
    return [(lo, hi) for lo, hi, perms in host_mappings() if "w" in perms and "x" in perms]


def emulator_rwx_mappings() -> list[tuple[int, int]]:
    """Host ranges mapped read-write-execute by the emulators themselves (Unicorn's
    translation cache, libffi trampolines of its hooks) and by libffi for the residual
    call callback, never holding jitnb's code."""
    from ..jit.trace.residual import FFI_RWX
    return list(EMULATOR_RWX) + [m for m in FFI_RWX if m not in EMULATOR_RWX]


class _HostMaps:
    """The host's mappings (/proc/self/maps), read again when an address is not found."""

    def __init__(self) -> None:
        self.maps: list[tuple[int, int, str]] = []

    def _read(self) -> None:
        self.maps = host_mappings()

    def find(self, address: int, fresh: bool = False) -> tuple[int, int, str] | None:
        for attempt in range(2):
            if attempt or fresh:
                self._read()
            for lo, hi, perms in self.maps:
                if lo <= address < hi:
                    return lo, hi, perms
        return None


def _uc_library():
    """The bindings' handle on Unicorn's C library (None where they do not expose it)."""
    try:
        from unicorn.unicorn_py3.unicorn import uclib
    except ImportError:
        return None
    return uclib


class _RegFile:
    """Registers of one emulator through Unicorn's C API, with buffers made once: the
    bindings' generic path costs ~1.6 us per register (~40 us to poison a call's
    caller-saved registers).  Falls back to the bindings where the C API is not
    reachable.  Values are the low 64 bits (an XMM register's double)."""

    def __init__(self, uc) -> None:
        self.uc = uc
        self.lib = _uc_library()
        self.handle = getattr(uc, "_uch", None)
        self.raw = self.lib is not None and self.handle is not None
        self.buf = (ctypes.c_uint64 * 2)()              # room for a 128-bit register
        self.at = ctypes.addressof(self.buf)
        self.batches: dict[tuple, tuple] = {}

    def _check(self, status: int) -> None:
        if status:
            raise self._error(status)

    @staticmethod
    def _error(status: int) -> Exception:
        from unicorn import UcError
        return UcError(status)

    def read(self, reg: int) -> int:
        if not self.raw:
            return self.uc.reg_read(reg) & MASK64
        self._check(self.lib.uc_reg_read(self.handle, reg, self.at))
        return self.buf[0]

    def write(self, reg: int, value: int) -> None:
        if not self.raw:
            self.uc.reg_write(reg, value & MASK64)
            return
        self.buf[0], self.buf[1] = value & MASK64, 0
        self._check(self.lib.uc_reg_write(self.handle, reg, self.at))

    def write_many(self, pairs: tuple[tuple[int, int], ...]) -> None:
        """Write ``(register, value)`` pairs (one C call; the buffers are kept per
        tuple of pairs)."""
        if not self.raw:
            for reg, value in pairs:
                self.uc.reg_write(reg, value & MASK64)
            return
        batch = self.batches.get(pairs)
        if batch is None:
            n = len(pairs)
            values = (ctypes.c_uint64 * (2 * n))()
            for k, (_, value) in enumerate(pairs):
                values[2 * k] = value & MASK64
            base = ctypes.addressof(values)
            batch = ((ctypes.c_int * n)(*[reg for reg, _ in pairs]),
                     (ctypes.c_void_p * n)(*[base + 16 * k for k in range(n)]), n, values)
            self.batches[pairs] = batch
        ids, ptrs, n, _ = batch
        self._check(self.lib.uc_reg_write_batch(self.handle, ids, ptrs, n))


class _Spans:
    """Disjoint address ranges with their permissions, found by address (bisect)."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.spans: list[tuple[int, int, int]] = []     # (start, end, prot), by start

    def add(self, start: int, size: int, prot: int) -> None:
        k = bisect.bisect_left(self.starts, start)
        self.starts.insert(k, start)
        self.spans.insert(k, (start, start + size, prot))

    def remove(self, start: int) -> None:
        k = bisect.bisect_left(self.starts, start)
        if k < len(self.starts) and self.starts[k] == start:
            del self.starts[k], self.spans[k]

    def find(self, address: int) -> tuple[int, int, int] | None:
        k = bisect.bisect_right(self.starts, address) - 1
        if k >= 0 and address < self.spans[k][1]:
            return self.spans[k]
        return None


# -- architectures -------------------------------------------------------------------------
class _Arch:
    """Unicorn constants and calling-convention registers of one architecture."""

    def __init__(self, name: str) -> None:
        import unicorn as U
        self.name = name
        if name == "x86_64":
            from unicorn import x86_const as C
            self.uc_args = (U.UC_ARCH_X86, U.UC_MODE_64)
            self.ret_insn = b"\xc3"
            self.int_args = [C.UC_X86_REG_RDI, C.UC_X86_REG_RSI, C.UC_X86_REG_RDX,
                             C.UC_X86_REG_RCX, C.UC_X86_REG_R8, C.UC_X86_REG_R9]
            self.float_args = [getattr(C, f"UC_X86_REG_XMM{k}") for k in range(8)]
            self.int_ret, self.float_ret = C.UC_X86_REG_RAX, C.UC_X86_REG_XMM0
            self.caller_saved = [getattr(C, f"UC_X86_REG_{r}") for r in
                                 ("RAX", "RCX", "RDX", "RSI", "RDI", "R8", "R9", "R10", "R11")]
            self.caller_saved_f = [getattr(C, f"UC_X86_REG_XMM{k}") for k in range(16)]
            self.sp, self.pc = C.UC_X86_REG_RSP, C.UC_X86_REG_RIP
            self.lr = None
        elif name == "aarch64":
            from unicorn import arm64_const as C
            self.uc_args = (U.UC_ARCH_ARM64, U.UC_MODE_ARM)
            self.ret_insn = struct.pack("<I", 0xD65F03C0)
            self.int_args = [getattr(C, f"UC_ARM64_REG_X{k}") for k in range(8)]
            self.float_args = [getattr(C, f"UC_ARM64_REG_D{k}") for k in range(8)]
            self.int_ret, self.float_ret = C.UC_ARM64_REG_X0, C.UC_ARM64_REG_D0
            self.caller_saved = [getattr(C, f"UC_ARM64_REG_X{k}") for k in range(18)]
            self.caller_saved_f = [getattr(C, f"UC_ARM64_REG_D{k}")
                                   for k in list(range(8)) + list(range(16, 32))]
            self.sp, self.pc = C.UC_ARM64_REG_SP, C.UC_ARM64_REG_PC
            self.lr = C.UC_ARM64_REG_X30
        else:
            raise ValueError(f"no emulator for {name!r}")


class Emulator:
    """One Unicorn instance for one architecture, shared by every UnicornCode of it."""

    def __init__(self, arch: str) -> None:
        import unicorn as U
        self.U = U
        self.arch = _Arch(arch)
        self.uc = U.Uc(*self.arch.uc_args)
        self.regs = _RegFile(self.uc)
        self.lock = threading.RLock()
        self.host = _HostMaps()
        self.regions: dict[int, int] = {}           # our own mappings: start -> size
        self.borrowed: list[tuple[int, int]] = []    # host pages mapped during a run
        self.codes: dict[int, UnicornCode] = {}      # code address -> its UnicornCode
        self.running = 0
        self.closed = False             # at exit: Unicorn may be torn down before our code
        atexit.register(self._close)
        # Unicorn translates into a read-write-execute buffer of its own, made when the
        # engine is set up (first control call or mapping): note it, so that W^X checks
        # of our code can skip it.
        before = set(_rwx_mappings())
        if hasattr(self.uc, "ctl_set_tcg_buffer_size"):
            self.uc.ctl_set_tcg_buffer_size(TCG_BUFFER)
        # Addresses are host addresses: no guest page tables (see _on_tlb_fill).
        self.uc.ctl_set_tlb_mode(U.UC_TLB_VIRTUAL)
        self.spans = _Spans()                       # what is mapped, with its permissions
        self.stack = self.alloc(STACK_SIZE, U.UC_PROT_READ | U.UC_PROT_WRITE)
        EMULATOR_RWX.extend(m for m in _rwx_mappings() if m not in before)
        self.arena: tuple[int, int] = (0, 0)         # frames: (next free, end)
        self.traps: dict[int, Callable[[Any], None]] = {}
        self.trap_keys: dict[Any, int] = {}
        self.trap_pages: list[int] = []
        self.trap_next = self.trap_end = 0
        self._hook(U.UC_HOOK_TLB_FILL, self._on_tlb_fill)
        self._make_trampoline()

    def _make_trampoline(self) -> None:
        """The code every run starts at: it loads the frame pointer argument, the entry
        and the stack pointer from ``slots``, calls the entry and stores the result to
        ``slots[3]``, so that starting a run writes no emulator register (each
        register access through the bindings costs ~1.6 us)."""
        U = self.U
        data = self.alloc(PAGE, U.UC_PROT_READ | U.UC_PROT_WRITE)
        self.slots = (ctypes.c_uint64 * 4).from_address(data)
        if self.arch.name == "x86_64":
            from ..jit.backend.x86_64 import registers as X
            from ..jit.backend.x86_64.encoder import X86Encoder
            enc = X86Encoder()
            enc.MOV_ri(X.R11, data)
            enc.MOV_rm(X.RDI, X.R11, 0)
            enc.MOV_rm(X.RAX, X.R11, 8)
            enc.MOV_rm(X.RSP, X.R11, 16)
            enc.CALL_r(X.RAX)                # at the entry rsp + 8 is 16-aligned
            enc.MOV_ri(X.R11, data)
            enc.MOV_mr(X.R11, 24, X.RAX)
        else:
            from ..jit.backend.aarch64 import registers as A
            from ..jit.backend.aarch64.encoder import A64Encoder
            enc = A64Encoder()
            enc.MOV_ri(A.X17, data)
            enc.LDR_rm(A.X0, A.X17, 0)
            enc.LDR_rm(A.X16, A.X17, 8)
            enc.LDR_rm(A.X1, A.X17, 16)
            enc.MOV_spr(A.X1)
            enc.BLR_r(A.X16)
            enc.MOV_ri(A.X17, data)
            enc.STR_rm(A.X0, A.X17, 24)
        code = bytes(enc.buf)
        self.trampoline = self.alloc(PAGE, U.UC_PROT_READ | U.UC_PROT_EXEC)
        ctypes.memmove(self.trampoline, code, len(code))
        self.uc.ctl_remove_cache(self.trampoline, self.trampoline + PAGE)
        self.trampoline_end = self.trampoline + len(code)     # where a run stops
        self.slots[2] = self.stack + STACK_SIZE - 64           # 16-aligned

    def _hook(self, kind: int, callback, **kw) -> None:
        """hook_add; the ctypes callback it makes may need a new libffi trampoline page,
        which is read-write-execute: noted like the translation cache."""
        before = set(_rwx_mappings())
        self.uc.hook_add(kind, callback, **kw)
        EMULATOR_RWX.extend(m for m in _rwx_mappings() if m not in before)

    # -- memory --------------------------------------------------------------------------
    def alloc(self, size: int, prot: int, near: int | None = None) -> int:
        """Map fresh host pages into the emulator at their own address."""
        size = -(-size // PAGE) * PAGE
        hint = None
        if near is not None:        # a hint only: the kernel maps elsewhere if it must
            hint = max(PAGE, near & ~(PAGE - 1))
        with self.lock:
            addr = _host_map(size, hint)
            try:
                self._drop_borrowed_overlapping(addr, size)
                self.spans.add(addr, size, prot)    # before Unicorn looks at the pages
                self.uc.mem_map_ptr(addr, size, prot, addr)
            except BaseException:
                self.spans.remove(addr)
                _munmap(addr, size)
                raise
            self.uc.ctl_remove_cache(addr, addr + size)
            self.regions[addr] = size
        return addr

    def _close(self) -> None:
        self.closed = True

    def release(self, addr: int, size: int) -> None:
        if self.closed:
            return
        with self.lock:
            self.uc.ctl_remove_cache(addr, addr + size)
            self.uc.mem_unmap(addr, size)
            del self.regions[addr]
            self.spans.remove(addr)
            _check(_munmap(addr, size), "munmap")

    def new_frame(self, slots: int) -> ctypes.Array:
        """A zeroed frame array mapped into the emulator for good (frames are small and
        are never freed: the ctypes array may outlive any code)."""
        nbytes = max(16, -(-8 * slots // 16) * 16)
        with self.lock:
            nxt, end = self.arena
            if nxt + nbytes > end:
                size = max(ARENA_SIZE, -(-nbytes // PAGE) * PAGE)
                nxt = self.alloc(size, self.U.UC_PROT_READ | self.U.UC_PROT_WRITE)
                end = nxt + size
            self.arena = (nxt + nbytes, end)
        return (ctypes.c_int64 * slots).from_address(nxt)

    def _on_tlb_fill(self, uc, page, access, entry, data) -> bool:
        """Unicorn asks what the emulator page at ``page`` is (on a TLB miss): itself,
        with the permissions of its mapping.  A page the emulator does not map is
        borrowed from the host (with the host's read/write permissions) until the run
        ends; an access the permissions do not allow faults, and so does one to an
        address the host does not map either (Unicorn finds no memory there).

        A data access gets read/write at most and an instruction fetch read/execute: a
        TLB entry that is both writable and executable sends every store through
        Unicorn's slow path (it watches such pages for self-modifying code)."""
        U = self.U
        fetch = access == U.UC_MEM_FETCH
        span = self.spans.find(page)
        if span is None and not fetch:
            span = self._borrow(page)
        prot = span[2] if span is not None else U.UC_PROT_ALL
        entry.paddr = page
        if fetch:
            entry.perms = prot & (U.UC_PROT_READ | U.UC_PROT_EXEC)
        else:
            entry.perms = prot & (U.UC_PROT_READ | U.UC_PROT_WRITE)
        return True

    def _borrow(self, address: int) -> tuple[int, int, int] | None:
        """Map the host page holding ``address`` for the rest of the run (None: the host
        does not map it readable)."""
        page = address & ~(PAGE - 1)
        found = self.host.find(page, fresh=True)
        if found is None or "r" not in found[2]:
            return None
        prot = self.U.UC_PROT_READ | (self.U.UC_PROT_WRITE if "w" in found[2] else 0)
        try:
            self.uc.mem_map_ptr(page, PAGE, prot, page)
        except self.U.UcError:
            return None
        self.borrowed.append((page, PAGE))
        self.spans.add(page, PAGE, prot)
        return page, page + PAGE, prot

    def premap(self, regions) -> None:
        """Borrow, before a run, the host memory of the arrays the code is about to use
        (``(address, bytes)`` of live buffers, read from the trace's inputs at entry): one
        mapping per array instead of a TLB miss and a look at /proc/self/maps per page."""
        U = self.U
        prot = U.UC_PROT_READ | U.UC_PROT_WRITE
        for address, size in regions:
            if size <= 0:
                continue
            page, end = address & ~(PAGE - 1), -(-(address + size) // PAGE) * PAGE
            while page < end:
                span = self.spans.find(page)
                if span is not None:
                    page = span[1]
                    continue
                stop = page + PAGE       # the run of pages nothing maps yet
                while stop < end and self.spans.find(stop) is None:
                    stop += PAGE
                try:
                    self.uc.mem_map_ptr(page, stop - page, prot, page)
                except U.UcError:
                    return               # (left to the TLB-miss path)
                self.borrowed.append((page, stop - page))
                self.spans.add(page, stop - page, prot)
                page = stop

    def _drop_borrowed(self) -> None:
        for addr, size in self.borrowed:
            self.uc.mem_unmap(addr, size)
            self.spans.remove(addr)
        self.borrowed = []

    def _drop_borrowed_overlapping(self, addr: int, size: int) -> None:
        if any(a < addr + size and addr < a + s for a, s in self.borrowed):
            self._drop_borrowed()

    # -- traps ---------------------------------------------------------------------------
    def new_trap(self, key: Any, service: Callable[[Any], None] | None) -> int:
        """A trap address: a `ret` whose execution first calls ``service(uc)``.  The same
        ``key`` gets the same address."""
        with self.lock:
            if key is not None and key in self.trap_keys:
                return self.trap_keys[key]
            if self.trap_next >= self.trap_end:
                page = self.alloc(PAGE, self.U.UC_PROT_READ | self.U.UC_PROT_EXEC)
                ret = self.arch.ret_insn
                ctypes.memmove(page, (ret + b"\0" * (TRAP_SLOT - len(ret))) * (PAGE // TRAP_SLOT),
                               PAGE)
                self.uc.ctl_remove_cache(page, page + PAGE)
                self._hook(self.U.UC_HOOK_CODE, self._on_trap, begin=page,
                           end=page + PAGE - 1)
                self.trap_pages.append(page)
                self.trap_next, self.trap_end = page, page + PAGE
            addr = self.trap_next
            self.trap_next += TRAP_SLOT
            if service is not None:
                self.traps[addr] = service
            if key is not None:
                self.trap_keys[key] = addr
            return addr

    def _on_trap(self, uc, address, size, data) -> None:
        service = self.traps.get(address)
        if service is not None:
            service(uc)

    def poison_pairs(self, keep_int: int | None, keep_float: int | None) -> tuple:
        """``(register, POISON + k)`` for every caller-saved register but the kept ones."""
        regs = [r for r in self.arch.caller_saved if r != keep_int]
        fregs = [r for r in self.arch.caller_saved_f if r != keep_float]
        return tuple((r, POISON + k) for k, r in enumerate(regs + fregs))

    def call_trap(self, address: int, kinds: str, needs_gil: bool = False) -> int:
        """The trap for a C function ``address`` taking and returning ``kinds``
        (argument kinds then the result kind, "i" or "f"); a function of the Python
        API (``needs_gil``) is called without releasing the GIL."""
        a, regs = self.arch, self.regs
        sources, ni, nf = [], 0, 0
        for k in kinds[:-1]:
            if k == "f":
                sources.append((a.float_args[nf], True))
                nf += 1
            else:
                sources.append((a.int_args[ni], False))
                ni += 1
        floats = kinds[-1] == "f"
        result_reg = a.float_ret if floats else a.int_ret
        poison = self.poison_pairs(None, a.float_ret) if floats else \
            self.poison_pairs(a.int_ret, None)
        fn = _c_function(address, kinds, needs_gil) if address else (lambda *_: 0)

        def service(uc) -> None:
            args = [_bits_float(regs.read(r)) if f else _signed(regs.read(r))
                    for r, f in sources]
            result = fn(*args)
            regs.write_many(poison)
            regs.write(result_reg, _float_bits(result) if floats else result)
        return self.new_trap(("call_f", address, kinds, needs_gil), service)

    def loop_trap(self, entry: int, descr: Any) -> int:
        """The trap for a ``call_loop`` whose target is not code of this emulator (the
        trap outlives the code: it keeps the descriptor only weakly where it can)."""
        try:
            ref = weakref.ref(descr)
        except TypeError:
            ref = lambda d=descr: d     # noqa: E731
        poison = self.poison_pairs(self.arch.int_ret, None)

        def service(uc) -> None:
            frame_address = self.regs.read(self.arch.int_args[0])
            result = _run_foreign_loop(entry, frame_address, ref())
            self.regs.write_many(poison)
            self.regs.write(self.arch.int_ret, result)
        return self.new_trap(None, service)        # a slot of its own per call site

    def owns_code(self, address: int) -> bool:
        for start, code in self.codes.items():
            if start <= address < start + code.size:
                return True
        return False

    # -- running -------------------------------------------------------------------------
    def _start(self, begin: int, until: int, hold_gil: bool) -> None:
        """``emu_start`` from `begin` to `until`; with ``hold_gil`` the GIL stays held
        while the code runs (code that reads Python objects, like ``NativeCode``)."""
        uc = self.uc
        handle = getattr(uc, "_uch", None)
        if not hold_gil or handle is None or not hasattr(uc, "_hook_exception"):
            uc.emu_start(begin, until)
            return
        if not _EMU_START_GIL:
            from unicorn.unicorn_py3 import unicorn as binding
            fn = binding.uclib.uc_emu_start
            _EMU_START_GIL.append(ctypes.PYFUNCTYPE(fn.restype, *fn.argtypes)(
                ctypes.cast(fn, ctypes.c_void_p).value))
        uc._hook_exception = None
        status = _EMU_START_GIL[0](handle, begin, until, 0, 0)
        if uc._hook_exception is not None:   # a hook raised (it stopped the run with it)
            raise uc._hook_exception
        if status != self.U.UC_ERR_OK:
            raise self.U.UcError(status)

    def call(self, entry: int, frame: ctypes.Array, stop: Any = None,
             hold_gil: bool = False) -> int:
        """Run ``int64 f(int64 *frame)`` at ``entry``; returns its result."""
        a, uc = self.arch, self.uc
        with self.lock:
            if self.running:
                raise RuntimeError("the emulator is already running code (nested run)")
            self.running += 1
            stopper = _Stopper(stop, frame) if stop is not None else None
            try:
                slots = self.slots
                slots[0] = ctypes.addressof(frame)
                slots[1] = entry
                try:
                    self._start(self.trampoline, self.trampoline_end, hold_gil)
                except self.U.UcError as e:
                    pc = uc.reg_read(a.pc)
                    raise RuntimeError(f"emulated {a.name} code failed at {pc:#x}: {e}") from None
                return _signed(slots[3])
            finally:
                if stopper is not None:
                    stopper.done()
                self._drop_borrowed()
                self.running -= 1


_EMULATORS: dict[str, Emulator] = {}
_EMU_START_GIL: list = []
_EMU_LOCK = threading.Lock()


def running() -> bool:
    """Is emulated code running (so that this is a residual call made from it)?  Then
    nothing may be mapped, written or translated for the emulator until it returns."""
    return any(e.running for e in _EMULATORS.values())


def emulator(arch: str) -> Emulator:
    """The process's emulator for ``arch`` (created on first use)."""
    with _EMU_LOCK:
        if arch not in _EMULATORS:
            _EMULATORS[arch] = Emulator(arch)
        return _EMULATORS[arch]


def _c_function(address: int, kinds: str, needs_gil: bool = False):
    ct = {"f": ctypes.c_double, "i": ctypes.c_int64}
    proto = (ctypes.PYFUNCTYPE if needs_gil else ctypes.CFUNCTYPE)(
        ct[kinds[-1]], *[ct[k] for k in kinds[:-1]])
    return proto(address)


def _find_code(address: int) -> "UnicornCode | None":
    for emu in list(_EMULATORS.values()):
        for start, code in list(emu.codes.items()):
            if start <= address < start + code.size:
                return code
    return None


def _run_foreign_loop(entry: int, frame_address: int, descr: Any) -> int:
    """Run a call_loop target that is not code of the calling emulator."""
    code = _find_code(entry) if entry else None
    if code is not None:                        # another architecture's emulator
        frame = (ctypes.c_int64 * code.frame_slots).from_address(frame_address)
        return code.emulator.call(entry, frame)
    found = _HostMaps().find(entry, fresh=True) if entry else None
    if found is not None and "x" in found[2]:   # native machine code of this host
        return LOOP_FUNC(entry)(ctypes.cast(frame_address, ctypes.POINTER(ctypes.c_int64)))
    if descr is not None and hasattr(descr, "call_reference"):   # e.g. the reference interpreter
        kinds = getattr(descr, "input_kinds", "")
        frame = (ctypes.c_int64 * (1 + len(kinds))).from_address(frame_address)
        return descr.call_reference([from_slot(frame[1 + k], c) for k, c in enumerate(kinds)])
    raise RuntimeError(f"call_loop target {entry:#x} cannot be run")


class _Stopper:
    """Stops a run from outside: when ``stop`` says so, frame word 0 := 1 (the code
    polls it at its back-edge and returns -2).  ``stop`` is a deadline (a number, in
    ``time.monotonic()`` seconds), an object with ``is_set()`` (``threading.Event``) or
    an ``interrupted`` attribute, or a callable returning true."""

    def __init__(self, stop: Any, frame: ctypes.Array) -> None:
        self.stop, self.frame = stop, frame
        self.finished = threading.Event()
        self.thread = threading.Thread(target=self._watch, name="jitnb-unicorn-stop",
                                       daemon=True)
        self.thread.start()

    def _due(self) -> bool:
        s = self.stop
        if isinstance(s, (int, float)):
            return time.monotonic() >= s
        if hasattr(s, "is_set"):
            return bool(s.is_set())
        if hasattr(s, "interrupted"):
            return bool(s.interrupted)
        return bool(s())

    def _watch(self) -> None:
        while not self.finished.is_set():
            if self._due():
                self.frame[0] = 1
                return
            wait = 0.002
            if isinstance(self.stop, (int, float)):
                wait = min(max(self.stop - time.monotonic(), 0.0), 0.05)
            self.finished.wait(wait)

    def done(self) -> None:
        self.finished.set()
        self.thread.join()


# -- loaded code ---------------------------------------------------------------------------
class UnicornCode(LoadedCode):
    """One CodeImage loaded into its architecture's emulator (the ``NativeCode``
    interface: run, make_frame, patch, patch_guard, attach_bridge, free)."""

    def __init__(self, image: CodeImage, near: int | None = None,
                 emu: Emulator | None = None) -> None:
        self.emulator = emu or emulator(image.arch)
        U = self.emulator.U
        self._load(image, PAGE)
        self.address = self.emulator.alloc(self.size, U.UC_PROT_READ | U.UC_PROT_EXEC, near)
        # 8-byte absolute targets rewritten for the emulator: offset -> value
        self.relocations: dict[int, int] = {}
        kinds = image.call_kinds or ["f" * getattr(d, "arity", 1) + "f"
                                     for _, d in image.call_sites]
        for (at, descr), k in zip(image.call_sites, kinds):
            target = struct.unpack_from("<Q", image.code, at)[0]
            if getattr(descr, "native_only", False):
                target = 0   # a GIL hand-over: the emulator holds the GIL throughout
            self.relocations[at] = self.emulator.call_trap(target, k,
                                                           getattr(descr, "needs_gil", False))
        for at, descr in image.loop_call_sites:
            entry = struct.unpack_from("<Q", image.code, at)[0]
            if not self.emulator.owns_code(entry):
                self.relocations[at] = self.emulator.loop_trap(entry, descr)
        self._write(0, image.code)
        self.emulator.codes[self.address] = self

    def _write(self, offset: int, data: bytes) -> None:
        buf = bytearray(data)
        for at, value in self.relocations.items():
            lo, hi = max(at, offset), min(at + 8, offset + len(buf))
            if lo < hi:
                word = struct.pack("<Q", value)
                buf[lo - offset:hi - offset] = word[lo - at:hi - at]
        ctypes.memmove(self.address + offset, bytes(buf), len(buf))
        self.emulator.uc.ctl_remove_cache(self.address + offset, self.address + offset + len(buf))

    def run(self, frame: ctypes.Array, stop: Any = None) -> int:
        """Run the code on ``frame`` (a ctypes c_int64 array); returns the exit code.
        ``stop``: see ``_Stopper`` (a deadline or a flag another thread sets)."""
        return self._run_checked(
            frame, lambda f: self.emulator.call(self.entry_address, f, stop,
                                                self.image.holds_gil))

    def make_frame(self, values: Sequence[int | float] = (), kinds: str | None = None,
                   slots: int = 0) -> ctypes.Array:
        """A zeroed frame big enough for this code, with ``values`` at slots 1, 2, ...
        (in memory the emulator maps for good)."""
        frame = self.emulator.new_frame(max(self.frame_slots, 1 + len(values), slots))
        store(frame, values, kinds)
        return frame

    def _patch_bytes(self, offset: int, data: bytes) -> None:
        """Relocated call targets stay relocated."""
        with self.emulator.lock:
            self._write(offset, data)

    def _check_bridge(self, bridge: "LoadedCode") -> None:
        if bridge.emulator is not self.emulator:
            raise ValueError("a bridge must be mapped in its loop's emulator")

    def _unmap(self, addr: int) -> None:
        self.emulator.codes.pop(addr, None)
        self.emulator.release(addr, self.size)

