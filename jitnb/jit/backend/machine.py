"""Machine-code executors for compiled traces (the ``Executor`` protocol of ``jit/compiled.py``).

``load(trace, params)`` assembles the trace for the requested architecture and returns
an executor that runs it natively when the host matches, or ``None`` when no executor
can run that code here (the pipeline then falls back to the reference interpreter).
"""
from __future__ import annotations

import ctypes

from ...params import Params
from ..ir.trace import Trace
from . import compile_trace, host_arch


class NativeExecutor:
    """Runs a trace's machine code in this process (W^X pages, called through ctypes)."""

    def __init__(self, trace: Trace, image) -> None:
        from ...emu.native import NativeCode
        self.image = image
        self.code = NativeCode(image)
        self.name = f"{image.arch} native"
        self.code_size = image.code_size
        self.input_kinds = [v.kind for v in trace.inputs]
        self.fail_kinds = [[v.kind for v in g.snapshot.fail_args()] for g in trace.guards()]
        self.frame = (ctypes.c_int64 * image.frame_slots)()

    def execute(self, inputs: list) -> tuple[int, list, int]:
        from ...emu.native import from_slot, to_slot
        frame = self.frame
        frame[0] = 0
        for k, (v, kind) in enumerate(zip(inputs, self.input_kinds)):
            frame[1 + k] = to_slot(v, kind)
        index = self.code.run(frame)
        if index < 0:
            raise RuntimeError(f"unexpected exit {index} from compiled loop")
        kinds = self.fail_kinds[index]
        return index, [from_slot(frame[1 + j], k) for j, k in enumerate(kinds)], 0

    def attach_bridge(self, exit: int, bridge: Trace, first_exit: int) -> None:
        try:
            from . import compile_bridge
        except ImportError:
            raise NotImplementedError("native bridges: NYI") from None
        raise NotImplementedError("native bridges: not wired yet")

    def free(self) -> None:
        self.code.free()


def load(trace: Trace, params: Params):
    arch = host_arch() if params.arch == "host" else params.arch
    if params.emulate or arch != host_arch():
        return None  # emulated execution: not available yet
    return NativeExecutor(trace, compile_trace(trace, arch))
