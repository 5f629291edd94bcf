"""Machine-code executors for compiled traces (the ``Executor`` protocol of ``jit/compiled.py``).

``load(trace, params)`` assembles the trace for the requested architecture and returns

    NativeExecutor     host architecture, ``emulate`` off: the code runs in this process
    EmulatedExecutor   ``emulate`` on, or another architecture: the code runs in Unicorn
    None               no executor can run that code here (Unicorn missing): the pipeline
                       falls back to the reference interpreter

Both load a loop and its bridges the same way and share everything but the loader.
An emulated loop's code and frame live in memory the emulator maps at its host address,
so ``call_loop`` descriptors (``compiled.LoopCall``: the callee's entry address and
frame address) mean the same to Python and to any emulated caller.
"""
from __future__ import annotations

import ctypes
import struct

from ...params import Params
from ..ir import ops as O
from ..ir.trace import Const, Trace, resolve
from . import compile_bridge, compile_trace, host_arch

EXIT_INTERRUPT = -2
EXIT_FINISH = -1
MIN_FRAME = 64


_LAYOUTS: dict[str, struct.Struct] = {}


def slots(kinds) -> struct.Struct:
    """How values of these kinds ("i" int64, "f" double) lie in frame[1:]: one pack_into
    or unpack_from moves them all (frame I/O is on every entry and exit)."""
    key = "".join(kinds)
    layout = _LAYOUTS.get(key)
    if layout is None:
        layout = _LAYOUTS[key] = struct.Struct("<" + key.replace("i", "q").replace("f", "d"))
    return layout


class MachineExecutor:
    """Runs a trace's machine code and the bridges attached to it (``kind``: how)."""

    kind = ""

    def __init__(self, trace: Trace, image, frame: ctypes.Array | None = None) -> None:
        self.image = image
        self.code = self.load_code(image)
        self.name = f"{image.arch} {self.kind}"
        self.code_size = image.code_size
        self.input_kinds = [v.kind for v in trace.inputs]
        self.fail_kinds = [[v.kind for v in g.snapshot.fail_args()] for g in trace.guards()]
        if frame is not None and len(frame) < image.frame_slots:
            raise ValueError("the given frame is too small for the trace")
        self.frame = frame if frame is not None else self.new_frame(max(image.frame_slots, MIN_FRAME))
        # exit number -> (image, its loaded code, guard index within that image)
        self.owners: list[tuple] = [(image, self.code, i) for i in range(len(self.fail_kinds))]
        self.bridge_codes: list = []
        self.last_bridge_bytes = 0
        self.finish_kinds: dict[int, str] = {}
        self.note_finishes(trace)

    def note_finishes(self, trace: Trace) -> None:
        """A function trace ends in ``finish(tag, values...)``; the tag (a constant) says
        the kinds of the values that follow it."""
        last = trace.ops[-1]
        if last.num == O.FINISH and last.args and isinstance(resolve(last.args[0]), Const):
            self.finish_kinds[resolve(last.args[0]).value] = "".join(resolve(v).kind
                                                                     for v in last.args)

    def load_code(self, image, near: int | None = None):
        raise NotImplementedError

    def busy(self) -> bool:
        """Is the machine this code runs on in use (a residual call came back to jitnb)?"""
        return False

    def new_frame(self, slots: int) -> ctypes.Array:
        raise NotImplementedError

    @property
    def entry_address(self) -> int:
        """Where ``call_loop`` enters this loop (valid for its own kind of code)."""
        return self.code.entry_address

    @property
    def frame_address(self) -> int:
        return ctypes.addressof(self.frame)

    def execute(self, inputs: list) -> tuple[int, list, int]:
        frame = self.frame
        frame[0] = 0
        try:
            slots(self.input_kinds).pack_into(frame, 8, *inputs)
        except struct.error:   # not a 64-bit value: wrapped as the machine sees it
            from ...emu.native import to_slot
            for k, (v, kind) in enumerate(zip(inputs, self.input_kinds)):
                frame[1 + k] = to_slot(v, kind)
        index = self.code.run(frame)
        return self._result(index)

    def execute_result(self, index: int) -> list:
        """The values exit ``index`` left in the frame (its fail_args, or finish's)."""
        return self._result(index)[1]

    def _result(self, index: int) -> tuple[int, list, int]:
        frame = self.frame
        if index >= 0:
            kinds = self.fail_kinds[index]
        elif index == EXIT_INTERRUPT:  # stopped at the loop header: the label values
            kinds = self.input_kinds
        elif index == EXIT_FINISH:     # frame[1] is the finish's tag (a constant)
            kinds = self.finish_kinds.get(frame[1], "i")
        else:
            raise RuntimeError(f"unexpected exit {index} from compiled loop")
        return index, list(slots(kinds).unpack_from(frame, 8)), 0

    def attach_bridge(self, exit: int, bridge: Trace, first_exit: int) -> None:
        parent_image, parent_code, local = self.owners[exit]
        image = compile_bridge(bridge, parent_image, parent_code.address, local, first_exit,
                               self.image, self.code.address, arch=self.image.arch)
        needed = max(image.frame_slots, 1 + max((len(g.snapshot.fail_args())
                                                 for g in bridge.guards()), default=0))
        if needed > len(self.frame):
            raise NotImplementedError("bridge needs a larger frame")
        code = self.load_code(image, near=self.code.address)
        self.bridge_codes.append(code)
        parent_code.patch_guard(local, code.address + image.entry)
        self.note_finishes(bridge)
        for i, g in enumerate(bridge.guards()):
            self.owners.append((image, code, i))
            self.fail_kinds.append([v.kind for v in g.snapshot.fail_args()])
        self.last_bridge_bytes = image.code_size

    def link_calls(self, descr, entry: int) -> None:
        """Point the ``call_loop`` sites of ``descr`` (assembled before the callee's
        address was known: a trace calling itself) at ``entry``."""
        for code in [self.code] + self.bridge_codes:
            for at, d in code.image.loop_call_sites:
                if d is descr:
                    getattr(code, "relocations", {}).pop(at, None)   # no emulator trap
                    code.patch(at, struct.pack("<Q", entry))

    def free(self) -> None:
        for code in self.bridge_codes:
            code.free()
        self.code.free()


class NativeExecutor(MachineExecutor):
    """Runs a trace's machine code in this process (W^X pages, called through ctypes)."""

    kind = "native"

    def load_code(self, image, near: int | None = None):
        from ...emu.native import NativeCode
        return NativeCode(image, near=near)

    def new_frame(self, slots: int) -> ctypes.Array:
        return (ctypes.c_int64 * slots)()


class EmulatedExecutor(MachineExecutor):
    """Runs a trace's machine code in the Unicorn emulator of its architecture (one per
    process and architecture: loops, bridges and frames of one architecture share it,
    so patched branches and direct ``call_loop`` calls between them work)."""

    kind = "unicorn"

    def busy(self) -> bool:
        return self.code.emulator.running > 0

    regions = None   # inputs -> [(address, bytes)] of the arrays the trace reads (pipeline)

    def load_code(self, image, near: int | None = None):
        from ...emu.unicorn_exec import UnicornCode
        return UnicornCode(image, near=near)

    def new_frame(self, slots: int) -> ctypes.Array:
        return self.code.make_frame(slots=slots)

    def execute(self, inputs: list) -> tuple[int, list, int]:
        if self.regions is not None:
            self.code.emulator.premap(self.regions(inputs))
        return super().execute(inputs)


def _machine(executor):
    """The machine executor under wrappers (the trace checker keeps it as ``machine``)."""
    while hasattr(executor, "machine"):
        executor = executor.machine
    return executor


def native_callable(trace: Trace) -> bool:
    """Can native code call every loop this trace calls?  Only native loops of this
    host: an emulated or interpreted callee is reached through an emulator's trap."""
    for op in trace.ops:
        if op.num == O.CALL_LOOP:
            executor = getattr(op.descr, "executor", None)
            if executor is not None and not isinstance(_machine(executor), NativeExecutor):
                return False
    return True


def holds_gil(trace: Trace) -> bool:
    """Does the trace read Python objects (directly or in the loops it calls)?  Then
    it runs with the GIL held, and has a hand-over exit (docs/architecture.md)."""
    return any(op.num in (O.GETARRAYITEM_GC_I, O.GETARRAYITEM_GC_F)
               or (op.snapshot is not None and op.snapshot.yields)
               or (op.num == O.CALL_LOOP and _callee_holds_gil(op)) for op in trace.ops)


def _callee_holds_gil(op) -> bool:
    """A loop called by a function trace (which has no hand-over exit of its own)."""
    executor = getattr(op.descr, "executor", None)
    image = getattr(_machine(executor), "image", None) if executor is not None else None
    return bool(getattr(image, "holds_gil", False))


def _target(trace: Trace, params: Params) -> tuple[str, bool]:
    arch = host_arch() if params.arch == "host" else params.arch
    return arch, params.emulate or arch != host_arch() or not native_callable(trace)


def frame_for(trace: Trace, params: Params, slots: int) -> ctypes.Array | None:
    """A frame array in the memory the trace's code will run on (known before it is
    assembled, for code that calls itself); None where no machine executor runs here."""
    arch, emulate = _target(trace, params)
    if not emulate:
        return (ctypes.c_int64 * slots)()
    try:
        from ...emu.unicorn_exec import emulator
        return emulator(arch).new_frame(slots)
    except ImportError:
        return None


def load(trace: Trace, params: Params, frame: ctypes.Array | None = None):
    arch, emulate = _target(trace, params)
    image = compile_trace(trace, arch)
    image.holds_gil = holds_gil(trace)
    if not emulate:
        return NativeExecutor(trace, image, frame)
    try:
        return EmulatedExecutor(trace, image, frame)
    except ImportError:         # no Unicorn here
        return None
