"""The optimiser: one pass per module, chained by name (PyPy's ``enable_opts``).

Every pass takes a trace and returns a new one that does the same with fewer or
cheaper operations; passes never change what a guard's snapshot means.  The chain
runs in the order given; an unknown name is an error.  ``unroll`` only applies to
loops (a bridge jumps to another trace's label); after it peels a loop, the passes
before it in the chain run again over the peeled trace.
"""
from __future__ import annotations

import importlib

from ..ir.trace import Trace
from .log import PassLog

PASSES = ("fold", "intbounds", "cse", "dce", "heap", "virtualize", "unroll", "guards")
LOOP_ONLY = ("unroll",)


def check_chain(chain: list[str]) -> None:
    """Raise ValueError naming the unknown passes and listing the known ones."""
    bad = [n for n in chain if n not in PASSES]
    if bad:
        raise ValueError(f"unknown optimisation pass(es) {', '.join(map(repr, bad))}; "
                         f"known passes: {':'.join(PASSES)}")


def parse_chain(text: str) -> list[str]:
    chain = [p for p in text.split(":") if p]
    check_chain(chain)
    return chain


def optimize(trace: Trace, chain: list[str], bridge: bool = False,
             log: PassLog | None = None) -> Trace:
    """Run the passes of `chain` in order on a copy of `trace`; `log` (if given) keeps
    the trace as each pass left it, for the listing's per-pass diffs."""
    check_chain(chain)
    out = trace.copy()
    if log is not None:
        log.start(out)
    for k, name in enumerate(chain):
        if bridge and name in LOOP_ONLY:
            continue
        out = _run(name, out, log, name)
        if name == "unroll" and out.loop_index():
            for again in chain[:k]:         # the body, optimised knowing the preamble
                if again not in LOOP_ONLY:
                    out = _run(again, out, log, f"{again} (peeled loop)")
    return out


def _run(name: str, trace: Trace, log: PassLog | None, title: str) -> Trace:
    out = importlib.import_module(f".{name}", __name__).run(trace)
    if log is not None:
        log.after(title, out)
    return out
