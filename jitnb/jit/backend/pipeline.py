"""From a recorded trace to a runnable loop: verify, optimise, assemble, load.

    Recorded ─► verify ─► opt chain (enable_opts) ─► verify ─► backend ─► executor
"""
from __future__ import annotations

import array
import time

from ... import events as ev
from ...params import Params
from ..compiled import CompiledLoop, ReferenceExecutor
from ..ir import ops as O
from ..ir.trace import verify
from ..opt import optimize
from ..opt.log import PassLog


def compile_loop(loop, recorded, params: Params, t_record: float, frame=None) -> CompiledLoop:
    """``frame``: the frame array the code must run on (see ``machine.frame_for``)."""
    t0 = time.perf_counter()
    verify(recorded.trace)
    recorded.trace.input_bounds = input_bounds(recorded)
    recorded.trace.buffers = frozenset(i for i, spec in enumerate(recorded.inputs)
                                       if spec.part == "abase")
    log = PassLog()
    trace = optimize(recorded.trace, params.opts(), log=log)
    verify(trace)
    t1 = time.perf_counter()
    executor, code_bytes, target = _executor(trace, params, _array_regions(recorded),
                                             recorded.trace, frame)
    t2 = time.perf_counter()
    compiled = CompiledLoop(loop.id, recorded, trace, executor, interp=loop.engine.interp,
                            header_pc=loop.info.header_pc, header_line=loop.line,
                            opt_log=log)
    ev.emit(ev.TraceCompiled(loop.id, len(recorded.trace.ops), len(trace.ops), len(trace.guards()),
                             code_bytes, target, t_record, t1 - t0, t2 - t1))
    loop.compiled = compiled
    ev.emit(ev.TraceListing(loop.id, _LazyListing(loop)))
    return compiled


class _LazyListing:
    """The listing text, computed when first printed (disassembly is not free)."""

    def __init__(self, loop) -> None:
        self.loop, self.text = loop, None

    def __str__(self) -> str:
        if self.text is None:
            self.text = self.loop.listing()
        return self.text

    __repr__ = __str__


def input_bounds(recorded) -> dict[int, tuple[int, int]]:
    """What every entry guarantees of the inputs: array lengths and positions are >= 0."""
    return {i: (0, (1 << 63) - 1) for i, spec in enumerate(recorded.inputs)
            if spec.part in ("alen", "aidx")}


def _array_regions(recorded):
    """Where a trace's arrays live, from its inputs (for the checker's memory comparison)."""
    pairs = []
    for i, spec in enumerate(recorded.inputs):
        if spec.part == "abase":
            j = next(k for k, t in enumerate(recorded.inputs)
                     if t.part == "alen" and t.loc == spec.loc)   # same location: same array
            pairs.append((i, j, array.array(spec.typecode).itemsize))
    return lambda inputs: [(inputs[i], inputs[j] * size) for i, j, size in pairs]


def _executor(trace, params: Params, regions=None, original=None, frame=None):
    """Machine code where a backend can take the trace; the reference interpreter otherwise."""
    try:
        from . import machine
    except ImportError:
        machine = None
    if machine is not None:
        ex = machine.load(trace, params, frame)
        if isinstance(ex, machine.EmulatedExecutor):
            ex.regions = regions       # its arrays are mapped into the emulator at entry
        if ex is not None:
            if params.check_traces:
                from ..compiled import CheckedExecutor
                ex = CheckedExecutor(ex, trace, regions, original)
            return ex, ex.code_size, ex.name
    if any(op.num in _OBJECT_OPS for op in trace.ops):
        # the reference interpreter lets other threads run between its steps, so it
        # cannot stand in for a trace that reads objects: the loop stays with CPython
        raise NotImplementedError("a trace that reads objects needs machine code here")
    return ReferenceExecutor(trace), 0, "reference"


_OBJECT_OPS = (O.GETARRAYITEM_GC_I, O.GETARRAYITEM_GC_F, O.CALL_I)


def compile_bridge(loop, compiled: CompiledLoop, exit: int, recorded, params: Params,
                   t_record: float) -> None:
    """Optimise a bridge recorded from `exit` and attach it to the compiled loop."""
    t0 = time.perf_counter()
    loop_inputs = compiled.trace.inputs
    verify(recorded.trace, loop_inputs)
    trace = optimize(recorded.trace, params.opts(), bridge=True)
    verify(trace, loop_inputs)
    first = len(compiled.exits)
    compiled.add_bridge(exit, recorded, trace)
    ev.emit(ev.BridgeCompiled(loop.id, exit, first, len(recorded.trace.ops), len(trace.ops),
                              getattr(compiled.executor, "last_bridge_bytes", 0),
                              compiled.executor.name, t_record + time.perf_counter() - t0))
    ev.emit(ev.TraceListing(loop.id, _LazyListing(loop)))
