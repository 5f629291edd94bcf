"""Native executor: W^X mappings, unmapping, patching, the interrupt word, disassembly."""
from __future__ import annotations

import ctypes
import os
import platform
import sys
import threading
import time

import pytest

from jitnb.emu.disasm import disassemble
from jitnb.jit.backend import compile_trace
from jitnb.jit.backend.image import EXIT_INTERRUPT, CodeImage
from jitnb.jit.ir.trace import parse_trace

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from backend_targets import ENDLESS, SUM_LOOP  # noqa: E402

pytestmark = pytest.mark.skipif(platform.machine() not in ("x86_64", "AMD64"),
                                reason="runs x86_64 code natively")
if platform.machine() in ("x86_64", "AMD64"):
    from jitnb.emu import native
    from jitnb.emu.native import NativeCode, from_slot, host_mappings, to_slot


def writable_and_executable():
    """Mappings both writable and executable, except an emulator's translation cache
    (Unicorn's, when an earlier test ran emulated code)."""
    from jitnb.emu.unicorn_exec import emulator_rwx_mappings
    skip = set(emulator_rwx_mappings())
    return [m for m in host_mappings() if "w" in m[2] and "x" in m[2] and m[:2] not in skip]


def perms_at(address):
    for lo, hi, perms in host_mappings():
        if lo <= address < hi:
            return perms
    return None


def load(text):
    return NativeCode(compile_trace(parse_trace(text)))


def test_code_is_mapped_read_execute_never_writable():
    with load(SUM_LOOP) as code:
        assert perms_at(code.address).startswith("r-x")
        assert writable_and_executable() == []
        frame = code.make_frame([0, 10, 0])
        assert code.run(frame) == 0 and frame[3] == 45


def test_free_unmaps_and_is_idempotent():
    code = load(SUM_LOOP)
    address = code.address
    assert perms_at(address) is not None
    code.free()
    assert perms_at(address) is None or not perms_at(address).startswith("r-x")
    code.free()                                 # a second free is harmless
    assert not code.alive
    with pytest.raises(RuntimeError):
        code.run(code.make_frame([0, 1, 0]))
    with pytest.raises(RuntimeError):
        code.patch(0, b"\x90")


def test_context_manager_frees():
    with load(SUM_LOOP) as code:
        address = code.address
    assert perms_at(address) is None or not perms_at(address).startswith("r-x")


def test_patching_never_maps_writable_and_executable(monkeypatch):
    code = load(SUM_LOOP)
    seen = []
    real = ctypes.memmove

    def spy(dst, src, n):
        seen.append(perms_at(code.address))
        seen.append(writable_and_executable())
        return real(dst, src, n)

    monkeypatch.setattr(native.ctypes, "memmove", spy)
    try:
        code.patch(code.image.code_size - 1, code.image.code[code.image.code_size - 1:
                                                           code.image.code_size])
        assert seen[0].startswith("rw-") and seen[1] == []
        assert perms_at(code.address).startswith("r-x")
        assert writable_and_executable() == []
    finally:
        monkeypatch.undo()
        code.free()


def test_patch_guard_redirects_the_exit():
    two = """
label(i0)
i1 = int_lt(i0, 10)
guard_true(i1) [snap 0: a=i0 @line 1]
i2 = int_add(i0, 1)
guard_false(0) [snap 1: a=i2 @line 2]
jump(i2)
"""
    code = load(two)
    try:
        assert code.run(code.make_frame([50])) == 0
        # Send guard 0 to guard 1's exit stub, as a bridge would be attached.
        stub1 = code.image.guard_offsets[1][1]
        code.patch_guard(0, code.address + stub1)
        assert code.image.guard_target(0, code.address) == code.address + stub1
        assert writable_and_executable() == []
        frame = code.make_frame([50])
        assert code.run(frame) == 1 and frame[1] == 50
    finally:
        code.free()


def test_patch_outside_the_code_is_refused():
    with load(SUM_LOOP) as code:
        with pytest.raises(ValueError):
            code.patch(len(code.image.code), b"\x90")


def test_interrupt_word_set_before_the_call_exits_at_first_back_edge():
    with load(SUM_LOOP) as code:
        frame = code.make_frame([0, 1000, 0])
        frame[0] = 1
        assert code.run(frame) == EXIT_INTERRUPT == -2
        assert list(frame)[1:4] == [1, 1000, 0]         # label values after one iteration
        frame[0] = 0                                     # resume from the frame
        assert code.run(frame) == 0
        assert list(frame)[1:4] == [1000, 1000, 999 * 1000 // 2]


def test_interrupt_from_another_thread_leaves_consistent_values():
    with load(ENDLESS) as code:
        frame = code.make_frame([0, 0, to_slot(0.0, "f")], "iii")
        timer = threading.Timer(0.05, lambda: frame.__setitem__(0, 1))
        t0 = time.perf_counter()
        timer.start()
        assert code.run(frame) == -2
        assert time.perf_counter() - t0 < 5
        i, s, f = frame[1], frame[2], from_slot(frame[3], "f")
        assert i > 1000
        assert s == i * (i - 1) // 2
        assert f == float(i)


def test_frame_checks():
    with load(SUM_LOOP) as code:
        with pytest.raises(ValueError):
            code.run((ctypes.c_int64 * 2)())
        with pytest.raises(TypeError):
            code.run((ctypes.c_int32 * 8)())
        assert len(code.make_frame()) == code.image.frame_slots == 4


def test_wrong_architecture_is_refused():
    with pytest.raises(ValueError):
        NativeCode(CodeImage("aarch64", b"\xc0\x03\x5f\xd6"))


def test_values_round_trip_through_slots():
    for v in (0.0, -0.0, 1.5, float("inf")):
        assert from_slot(to_slot(v, "f"), "f") == v
    assert to_slot((1 << 64) - 1, "i") == -1 and to_slot(-5, "i") == -5


def test_disassembler():
    insns = disassemble(b"\x48\x01\xc8\xc3", "x86_64", base=0x1000)
    assert [(o, m) for o, _, m, _ in insns] == [(0, "add"), (3, "ret")]
    assert insns[0][3] == "rax, rcx" and insns[0][1] == b"\x48\x01\xc8"
    # Undecodable bytes are listed and decoding goes on.
    insns = disassemble(b"\x06\xc3", "x86_64")
    assert insns[0][2] == ".byte" and insns[-1][2] == "ret"
    a64 = disassemble(bytes.fromhex("c0035fd6"), "aarch64")
    assert a64[0][2] == "ret"


def test_listing_covers_the_code():
    t = parse_trace(SUM_LOOP)
    img = compile_trace(t)
    text = img.listing(t)
    for line in ("# 0: label", "# 4: guard_true", "# 5: jump", "interrupt exit",
                 "exit stub for guard 0"):
        assert line in text
    assert "cmp" in text and "ret" in text


def test_attach_bridge_grows_the_frame_and_keeps_the_bridge_mapped():
    from jitnb.jit.backend import compile_bridge
    loop = parse_trace("""
label(i0)
i1 = int_lt(i0, 10)
guard_true(i1) [snap 0: a=i0 @line 1]
i2 = int_add(i0, 1)
jump(i2)
""")
    code = NativeCode(compile_trace(loop))
    # The bridge's exit reports five values: more slots than the loop needs.
    bridge = parse_trace("""
label(i0)
i1 = int_add(i0, 1)
i2 = int_add(i0, 2)
i3 = int_add(i0, 3)
i4 = int_add(i0, 4)
guard_false(1) [snap 0: a=i0 b=i1 c=i2 d=i3 e=i4 @line 2]
jump(i0)
""")
    try:
        assert code.frame_slots == 2
        image = compile_bridge(bridge, code.image, code.address, 0, 1)
        b = NativeCode(image, near=code.address)
        address = b.address
        seen = []
        real = ctypes.memmove

        def spy(dst, src, n):
            seen.append((perms_at(dst), writable_and_executable()))
            return real(dst, src, n)

        native.ctypes.memmove = spy
        try:
            code.attach_bridge(0, b)
        finally:
            native.ctypes.memmove = real
        assert seen and all(p.startswith("rw-") and wx == [] for p, wx in seen)
        assert code.frame_slots == 6 and len(code.make_frame()) == 6
        del b
        assert perms_at(address).startswith("r-x")             # still mapped
        with pytest.raises(ValueError):
            code.run((ctypes.c_int64 * 2)())
        frame = code.make_frame([50])
        assert code.run(frame) == 1 and list(frame)[1:] == [50, 51, 52, 53, 54]
        assert writable_and_executable() == []
        with pytest.raises(ValueError):
            code.attach_bridge(0, NativeCode(compile_trace(loop)))   # not a bridge
    finally:
        code.free()
