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
        self.frame = (ctypes.c_int64 * max(image.frame_slots, 64))()
        # exit number -> (image, its loaded code, guard index within that image)
        self.owners: list[tuple] = [(image, self.code, i) for i in range(len(self.fail_kinds))]
        self.bridge_codes: list = []
        self.last_bridge_bytes = 0

    def execute(self, inputs: list) -> tuple[int, list, int]:
        from ...emu.native import from_slot, to_slot
        frame = self.frame
        frame[0] = 0
        for k, (v, kind) in enumerate(zip(inputs, self.input_kinds)):
            frame[1 + k] = to_slot(v, kind)
        index = self.code.run(frame)
        if index == -2:  # interrupted at the loop header: the frame holds the label values
            return index, [from_slot(frame[1 + k], kind)
                           for k, kind in enumerate(self.input_kinds)], 0
        if index < 0:
            raise RuntimeError(f"unexpected exit {index} from compiled loop")
        kinds = self.fail_kinds[index]
        return index, [from_slot(frame[1 + j], k) for j, k in enumerate(kinds)], 0

    def attach_bridge(self, exit: int, bridge: Trace, first_exit: int) -> None:
        from ...emu.native import NativeCode
        from . import compile_bridge
        parent_image, parent_code, local = self.owners[exit]
        image = compile_bridge(bridge, parent_image, parent_code.address, local, first_exit,
                               self.image, self.code.address)
        needed = max(image.frame_slots, 1 + max((len(g.snapshot.fail_args())
                                                 for g in bridge.guards()), default=0))
        if needed > len(self.frame):
            raise NotImplementedError("bridge needs a larger frame")
        code = NativeCode(image)
        self.bridge_codes.append(code)
        parent_code.patch_guard(local, code.address + image.entry)
        for i, g in enumerate(bridge.guards()):
            self.owners.append((image, code, i))
            self.fail_kinds.append([v.kind for v in g.snapshot.fail_args()])
        self.last_bridge_bytes = image.code_size

    def free(self) -> None:
        for code in self.bridge_codes:
            code.free()
        self.code.free()


def load(trace: Trace, params: Params):
    arch = host_arch() if params.arch == "host" else params.arch
    if params.emulate or arch != host_arch():
        return None  # emulated execution: not available yet
    return NativeExecutor(trace, compile_trace(trace, arch))
