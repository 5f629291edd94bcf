"""Emulated execution end to end: ``jitnb.run(src, arch="aarch64")`` and ``emulate=True``
give CPython's results with every hot loop in Unicorn (checked against the reference
interpreter as they run), and the Unicorn executor's own duties: stopping a running
loop, host memory borrowed only for a run, calls into loops outside the emulator."""
from __future__ import annotations

import ctypes
import ctypes.util
import math
import os
import platform
import sys
import threading
import time

import pytest

pytest.importorskip("unicorn")

import jitnb  # noqa: E402
from jitnb.emu.native import from_slot, to_slot  # noqa: E402
from jitnb.emu.unicorn_exec import POISON, UnicornCode, emulator  # noqa: E402
from jitnb.jit.backend import compile_trace, host_arch  # noqa: E402
from jitnb.jit.backend.image import CodeImage  # noqa: E402
from jitnb.jit.ir.trace import parse_trace, print_trace  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from backend_targets import ENDLESS  # noqa: E402
from test_tracing import _both  # noqa: E402

x86_host = pytest.mark.skipif(platform.machine() not in ("x86_64", "AMD64"),
                              reason="runs x86_64 code natively")

PROGRAMS = {
    "int_sum": "def f(n):\n    s = 0\n    for i in range(n):\n        s += i * 3 - 1\n    return s\n"
               "r = f(2000)\n",
    "newton_sqrt": ("def sqrt(x):\n    g = x / 2.0\n    k = 0\n    while k < 20:\n"
                    "        g = (g + x / g) / 2.0\n        k += 1\n    return g\n"
                    "r = [sqrt(float(v)) for v in range(1, 40)]\n"),
    "branchy": ("def f(n):\n    a = b = 0\n    for i in range(n):\n        if i % 3 == 0:\n"
                "            a += i\n        elif i % 3 == 1:\n            b -= i // 2\n"
                "        else:\n            a, b = b, a % 1000\n    return a, b\nr = f(1500)\n"),
    "nested": ("def f(n):\n    t = 0\n    for j in range(n):\n        s = 0\n"
               "        for i in range(j % 5 + 30):\n            s += i * j\n        t += s % 977\n"
               "    return t\nr = f(120)\n"),
    "math_sin": ("def f(n):\n    s = 0.0\n    for i in range(n):\n"
                 "        s += math.sin(i * 0.01) * math.cos(i * 0.02)\n    return s\nr = f(600)\n"),
}
MODES = {"aarch64": {"arch": "aarch64"}, "emulate": {"emulate": True}}


def _executors(run):
    return [loop.compiled.executor for loop in run.loops if loop.compiled is not None]


@pytest.mark.parametrize("mode", sorted(MODES))
@pytest.mark.parametrize("name", sorted(PROGRAMS))
def test_programs_give_cpythons_results_in_unicorn(name, mode):
    run = _both(PROGRAMS[name], threshold=20, trace_eagerness=5, **MODES[mode])
    executors = _executors(run)
    assert executors, "no loop was compiled"
    arch = "aarch64" if mode == "aarch64" else host_arch()
    for ex in executors:
        assert "unicorn" in ex.name and ex.name.startswith(arch), ex.name
        assert ex.checked >= 1                       # the reference agreed
    kinds = [e.kind for e in run.events]
    if name == "branchy":
        assert "bridge-compiled" in kinds
    if name == "nested":
        traces = [print_trace(loop.compiled.trace) for loop in run.loops if loop.compiled]
        assert any("call_loop" in t for t in traces)
    if name == "math_sin":
        assert any("call_f(sin" in print_trace(loop.compiled.trace)
                   for loop in run.loops if loop.compiled)


def test_host_without_emulate_stays_native():
    run = jitnb.run(PROGRAMS["int_sum"], {}, threshold=10, arch="host")
    names = [ex.name for ex in _executors(run)]
    assert names == [f"{host_arch()} native"]


# -- the executor ----------------------------------------------------------------------------
def _endless(arch):
    return UnicornCode(compile_trace(parse_trace(ENDLESS), arch))


def _consistent(frame):
    i, s, f = frame[1], frame[2], from_slot(frame[3], "f")
    assert i > 1000 and s == i * (i - 1) // 2 and f == float(i)


@pytest.mark.parametrize("arch", ["x86_64", "aarch64"])
def test_run_stops_at_a_deadline_or_a_flag(arch):
    code = _endless(arch)
    try:
        frame = code.make_frame([0, 0, to_slot(0.0, "f")], "iii")
        t0 = time.monotonic()
        assert code.run(frame, stop=t0 + 0.05) == -2
        assert time.monotonic() - t0 < 2
        _consistent(frame)
        event = threading.Event()
        threading.Timer(0.05, event.set).start()
        frame = code.make_frame([0, 0, to_slot(0.0, "f")], "iii")
        assert code.run(frame, stop=event) == -2
        _consistent(frame)

        class Flag:
            interrupted = False
        flag = Flag()
        threading.Timer(0.05, lambda: setattr(flag, "interrupted", True)).start()
        frame = code.make_frame([0, 0, to_slot(0.0, "f")], "iii")
        assert code.run(frame, stop=flag) == -2
        _consistent(frame)
    finally:
        code.free()


@pytest.mark.parametrize("arch", ["x86_64", "aarch64"])
def test_another_thread_writes_the_interrupt_word(arch):
    """Frames are host memory mapped at their own address: a plain store from Python
    reaches the emulated code's poll, for an emulator frame and for any ctypes array."""
    code = _endless(arch)
    try:
        for frame in (code.make_frame([0, 0, to_slot(0.0, "f")], "iii"),
                      (ctypes.c_int64 * 4)(0, 0, 0, to_slot(0.0, "f"))):
            timer = threading.Timer(0.05, lambda: frame.__setitem__(0, 1))
            timer.start()
            assert code.run(frame) == -2
            _consistent(frame)
        assert code.emulator.borrowed == []          # the heap frame's page was returned
    finally:
        code.free()


def test_patching_a_running_loop_is_refused():
    code = _endless("aarch64")
    try:
        frame = code.make_frame([0, 0, to_slot(0.0, "f")], "iii")
        th = threading.Thread(target=code.run, args=(frame,))
        th.start()
        try:
            deadline = time.monotonic() + 5
            while not code._running and time.monotonic() < deadline:
                time.sleep(0.001)
            with pytest.raises(RuntimeError):
                code.patch_guard(0, code.address)
        finally:
            frame[0] = 1
            th.join(10)
    finally:
        code.free()


def test_free_unmaps_and_a_bad_access_is_an_error():
    code = _endless("aarch64")
    address = code.address
    emu = code.emulator
    assert address in emu.regions
    code.free()
    code.free()
    assert address not in emu.regions and not code.alive
    with pytest.raises(RuntimeError):
        code.run(code.make_frame([0, 0, 0]))
    # a load from an address the host does not map either
    t = parse_trace("label(i0)\ni1 = getarrayitem_raw_i(16, i0)\n"
                    "guard_false(1) [snap 0: v=i1 @line 1]\njump(i0)")
    t.ops[1].descr = "q"
    bad = UnicornCode(compile_trace(t, "aarch64"))
    try:
        with pytest.raises(RuntimeError, match="failed at"):
            bad.run(bad.make_frame([0]))
        assert emu.running == 0
    finally:
        bad.free()


def test_call_traps_poison_the_caller_saved_registers():
    """A call_f serviced in Python returns its result and leaves garbage in every other
    caller-saved register, as a real callee may."""
    t = parse_trace("label(f0)\nf1 = call_f(sin, f0)\nguard_false(1) [snap 0: r=f1 @line 1]\n"
                    "jump(f0)", {"sin": _Sin()})
    code = UnicornCode(compile_trace(t, "aarch64"))
    try:
        frame = code.make_frame([to_slot(0.5, "f")], "i")
        assert code.run(frame) == 0 and from_slot(frame[1], "f") == math.sin(0.5)
        from unicorn.arm64_const import UC_ARM64_REG_X3
        assert code.emulator.uc.reg_read(UC_ARM64_REG_X3) == POISON + 3
    finally:
        code.free()


class _Sin:
    def __init__(self):
        lib = ctypes.CDLL(ctypes.util.find_library("m") or "libm.so.6")
        fn = lib.sin
        fn.restype, fn.argtypes = ctypes.c_double, [ctypes.c_double]
        self.address = ctypes.cast(fn, ctypes.c_void_p).value
        self.c_call = fn

    def __str__(self):
        return "sin"


# -- call_loop into code outside the caller's emulator -----------------------------------------
INNER = """
label(i0, i1)
i2 = int_lt(i0, i1)
guard_true(i2) [snap 0: i=i0 n=i1 @line 1]
i3 = int_add(i0, 1)
jump(i3, i1)
"""


class _Callee:
    """A call_loop descriptor for a loop run some other way."""

    def __init__(self, entry, frame, reference=None):
        self.entry_address = entry
        self.frame = frame
        self.frame_address = ctypes.addressof(frame)
        self.input_kinds = "ii"
        self._reference = reference

    def call_reference(self, args):
        return self._reference(self, args)

    def __str__(self):
        return "inner"


def _outer(descr):
    return parse_trace(f"""
label(i0)
i1 = call_loop(inner, 0, i0)
i2 = getarrayitem_raw_i({descr.frame_address}, 1)
guard_false(1) [snap 0: r=i1 n=i2 @line 1]
jump(i0)
""", {"inner": descr})


def _run_outer(descr, arch="aarch64"):
    t = _outer(descr)
    t.ops[2].descr = "q"
    code = UnicornCode(compile_trace(t, arch))
    try:
        frame = code.make_frame([37])
        assert code.run(frame) == 0
        return frame[1], frame[2]
    finally:
        code.free()


def test_call_loop_into_another_architectures_emulator():
    inner = UnicornCode(compile_trace(parse_trace(INNER), "x86_64"))
    try:
        descr = _Callee(inner.entry_address, inner.make_frame(slots=8))
        assert _run_outer(descr, "aarch64") == (0, 37)
    finally:
        inner.free()


@x86_host
def test_call_loop_from_emulated_code_into_native_code():
    from jitnb.emu.native import NativeCode
    inner = NativeCode(compile_trace(parse_trace(INNER), "x86_64"))
    try:
        descr = _Callee(inner.entry_address, (ctypes.c_int64 * 8)())
        assert _run_outer(descr, "aarch64") == (0, 37)
    finally:
        inner.free()


def test_call_loop_into_a_loop_without_machine_code():
    def reference(self, args):
        i, n = args
        self.frame[1], self.frame[2] = max(i, n), n
        return 0
    descr = _Callee(0, (ctypes.c_int64 * 8)(), reference)
    assert _run_outer(descr, "aarch64") == (0, 37)
    assert _run_outer(descr, "x86_64") == (0, 37)


def test_emulators_are_one_per_architecture():
    assert emulator("aarch64") is emulator("aarch64")
    assert emulator("aarch64") is not emulator("x86_64")
    with pytest.raises(ValueError):
        UnicornCode(CodeImage("mips", b"\0" * 4))
