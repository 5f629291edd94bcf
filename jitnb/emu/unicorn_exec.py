"""Unicorn executor: run a CodeImage's machine code in an emulator, on any host.

    host memory ══ identity ══► emulator memory (one emulator per architecture):
        code images (r-x), a stack, frames, a trap page of `ret`s, and, on first touch
        during a run, whatever other host page the code reads or writes
    run(frame) ─► frame pointer argument, stack, return address = stop ─► emu_start
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
"""
from __future__ import annotations

import atexit
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
        self.lock = threading.RLock()
        self.host = _HostMaps()
        self.regions: dict[int, int] = {}           # our own mappings: start -> size
        self.borrowed: list[tuple[int, int]] = []    # host pages mapped during a run
        self.codes: dict[int, UnicornCode] = {}      # code address -> its UnicornCode
        self.running = 0
        self.closed = False             # at exit: Unicorn may be torn down before our code
        atexit.register(self._close)
        # Unicorn translates into a read-write-execute buffer of its own, made when the
        # first memory is mapped: note it, so that W^X checks of our code can skip it.
        if hasattr(self.uc, "ctl_set_tcg_buffer_size"):
            self.uc.ctl_set_tcg_buffer_size(TCG_BUFFER)
        before = set(_rwx_mappings())
        self.stack = self.alloc(STACK_SIZE, U.UC_PROT_READ | U.UC_PROT_WRITE)
        EMULATOR_RWX.extend(m for m in _rwx_mappings() if m not in before)
        self.arena: tuple[int, int] = (0, 0)         # frames: (next free, end)
        self.traps: dict[int, Callable[[Any], None]] = {}
        self.trap_keys: dict[Any, int] = {}
        self.trap_pages: list[int] = []
        self.trap_next = self.trap_end = 0
        self.stop_address = self.new_trap(None, None)
        self._hook(U.UC_HOOK_MEM_READ_UNMAPPED | U.UC_HOOK_MEM_WRITE_UNMAPPED,
                   self._on_unmapped)

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
                self.uc.mem_map_ptr(addr, size, prot, addr)
            except BaseException:
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

    def _on_unmapped(self, uc, access, address, size, value, data) -> bool:
        """The code touched a host address the emulator does not map: borrow the host
        pages (with the host's read/write permissions) until the run ends."""
        start = address & ~(PAGE - 1)
        end = -(-(address + max(size, 1)) // PAGE) * PAGE
        page = start
        while page < end:
            found = self.host.find(page, fresh=True)
            if found is None or "r" not in found[2] or found[0] > page:
                return False
            lo, hi, perms = found
            stop = min(end, hi)
            prot = self.U.UC_PROT_READ | (self.U.UC_PROT_WRITE if "w" in perms else 0)
            try:
                uc.mem_map_ptr(page, stop - page, prot, page)
            except self.U.UcError:
                return False
            self.borrowed.append((page, stop - page))
            page = stop
        return True

    def _drop_borrowed(self) -> None:
        for addr, size in self.borrowed:
            self.uc.mem_unmap(addr, size)
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

    def poison(self, keep_int: int | None, keep_float: int | None) -> None:
        regs = [r for r in self.arch.caller_saved if r != keep_int]
        fregs = [r for r in self.arch.caller_saved_f if r != keep_float]
        values = [(r, POISON + k) for k, r in enumerate(regs + fregs)]
        if hasattr(self.uc, "reg_write_batch"):         # Unicorn 2.1
            self.uc.reg_write_batch(values)
        else:
            for r, v in values:
                self.uc.reg_write(r, v)

    def call_trap(self, address: int, kinds: str) -> int:
        """The trap for a C function ``address`` taking and returning ``kinds``
        (argument kinds then the result kind, "i" or "f")."""
        def service(uc, fn=_c_function(address, kinds), kinds=kinds) -> None:
            args = []
            ni = nf = 0
            for k in kinds[:-1]:
                if k == "f":
                    bits = uc.reg_read(self.arch.float_args[nf]) & MASK64
                    args.append(struct.unpack("<d", struct.pack("<Q", bits))[0])
                    nf += 1
                else:
                    args.append(_signed(uc.reg_read(self.arch.int_args[ni])))
                    ni += 1
            result = fn(*args)
            if kinds[-1] == "f":
                self.poison(None, self.arch.float_ret)
                uc.reg_write(self.arch.float_ret, struct.unpack("<Q", struct.pack("<d", result))[0])
            else:
                self.poison(self.arch.int_ret, None)
                uc.reg_write(self.arch.int_ret, result & MASK64)
        return self.new_trap(("call_f", address, kinds), service)

    def loop_trap(self, entry: int, descr: Any) -> int:
        """The trap for a ``call_loop`` whose target is not code of this emulator (the
        trap outlives the code: it keeps the descriptor only weakly where it can)."""
        try:
            ref = weakref.ref(descr)
        except TypeError:
            ref = lambda d=descr: d     # noqa: E731
        def service(uc) -> None:
            frame_address = uc.reg_read(self.arch.int_args[0])
            result = _run_foreign_loop(entry, frame_address, ref())
            self.poison(self.arch.int_ret, None)
            uc.reg_write(self.arch.int_ret, result & MASK64)
        return self.new_trap(None, service)        # a slot of its own per call site

    def owns_code(self, address: int) -> bool:
        for start, code in self.codes.items():
            if start <= address < start + code.size:
                return True
        return False

    # -- running -------------------------------------------------------------------------
    def call(self, entry: int, frame: ctypes.Array, stop: Any = None) -> int:
        """Run ``int64 f(int64 *frame)`` at ``entry``; returns its result."""
        a, uc = self.arch, self.uc
        with self.lock:
            if self.running:
                raise RuntimeError("the emulator is already running code (nested run)")
            self.running += 1
            stopper = _Stopper(stop, frame) if stop is not None else None
            try:
                top = self.stack + STACK_SIZE - 64
                if a.lr is None:                    # x86_64: the return address on the stack
                    sp = top - 8
                    uc.mem_write(sp, struct.pack("<Q", self.stop_address))
                else:
                    sp = top
                    uc.reg_write(a.lr, self.stop_address)
                uc.reg_write(a.sp, sp)
                uc.reg_write(a.int_args[0], ctypes.addressof(frame))
                try:
                    uc.emu_start(entry, self.stop_address)
                except self.U.UcError as e:
                    pc = uc.reg_read(a.pc)
                    raise RuntimeError(f"emulated {a.name} code failed at {pc:#x}: {e}") from None
                return _signed(uc.reg_read(a.int_ret))
            finally:
                if stopper is not None:
                    stopper.done()
                self._drop_borrowed()
                self.running -= 1


_EMULATORS: dict[str, Emulator] = {}
_EMU_LOCK = threading.Lock()


def emulator(arch: str) -> Emulator:
    """The process's emulator for ``arch`` (created on first use)."""
    with _EMU_LOCK:
        if arch not in _EMULATORS:
            _EMULATORS[arch] = Emulator(arch)
        return _EMULATORS[arch]


def _c_function(address: int, kinds: str):
    ct = {"f": ctypes.c_double, "i": ctypes.c_int64}
    proto = ctypes.CFUNCTYPE(ct[kinds[-1]], *[ct[k] for k in kinds[:-1]])
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
            self.relocations[at] = self.emulator.call_trap(target, k)
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
            frame, lambda f: self.emulator.call(self.entry_address, f, stop))

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

