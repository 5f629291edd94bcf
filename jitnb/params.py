"""JIT parameters, with PyPy's names and notebook-scale defaults.

Parameters are set globally (``jitnb.params.set(threshold=50)``), per cell
(``%%jit --threshold 50``) or per call (``jitnb.run(src, threshold=50)``); the
narrower setting wins.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field, fields, replace

DEFAULT_OPTS = "fold:intbounds:cse:heap:dce:virtualize:unroll"


@dataclass(frozen=True)
class Params:
    threshold: int = field(default=200, metadata={"help": "loop iterations before a loop is traced"})
    function_threshold: int = field(default=400, metadata={"help": "calls before a function is traced from its start"})
    trace_eagerness: int = field(default=50, metadata={"help": "guard failures before a bridge is traced"})
    trace_limit: int = field(default=6000, metadata={"help": "IR operations before a trace aborts"})
    enable_opts: str = field(default=DEFAULT_OPTS, metadata={"help": "optimisation passes, ':'-separated"})
    arch: str = field(default="host", metadata={"help": "host | x86_64 | aarch64"})
    emulate: bool = field(default=False, metadata={"help": "run machine code in Unicorn even on a matching host"})
    jit: bool = field(default=True, metadata={"help": "compile to machine code (off: counters + interpreter only)"})
    max_retrace: int = field(default=5, metadata={"help": "aborts before a loop is blacklisted"})
    inline_depth: int = field(default=8, metadata={"help": "maximum depth of inlined calls while tracing"})
    residual_call_ops: int = field(default=150, metadata={
        "help": "recorded operations a loop trace needs per residual call (fewer: the loop is "
                "left to CPython, which runs it faster; 0: no limit)"})
    check_traces: bool = field(default=False, metadata={
        "help": "cross-check every machine-code run against the reference IR interpreter"})

    def __post_init__(self) -> None:
        for name in ("threshold", "function_threshold", "trace_eagerness", "trace_limit", "max_retrace",
                     "residual_call_ops"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0")
        if self.arch not in ("host", "x86_64", "aarch64"):
            raise ValueError(f"arch must be host, x86_64 or aarch64, not {self.arch!r}")
        if self.enable_opts != DEFAULT_OPTS:     # unknown pass names are an error
            from .jit.opt import parse_chain
            parse_chain(self.enable_opts)

    def with_(self, **changes) -> "Params":
        """A copy with the given non-None changes applied (unknown names raise TypeError)."""
        known = {f.name for f in fields(self)}
        bad = frozenset(changes) - known
        if bad:
            raise TypeError(f"unknown JIT parameter(s): {', '.join(sorted(bad))}")
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    def opts(self) -> list[str]:
        from .jit.opt import parse_chain
        return parse_chain(self.enable_opts)


_global = Params()


def get() -> Params:
    """The global parameters."""
    return _global


def set(**changes) -> Params:  # noqa: A001 - mirrors PyPy's jit.set_param
    """Change the global parameters; returns the new set."""
    global _global
    _global = _global.with_(**changes)
    return _global


def reset() -> None:
    global _global
    _global = Params()


def describe() -> dict[str, str]:
    return {f.name: f.metadata.get("help", "") for f in dataclasses.fields(Params)}
