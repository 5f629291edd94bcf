"""Trace values, operations and snapshots, with the canonical text form.

    label(i0, f1)
    i2 = int_add_ovf(i0, 1)
    guard_no_overflow() [snap 0: x=i0 y=f1 @line 12]
    jump(i2, f1)

A peeled loop has a second label: the ops before it are the preamble (one iteration,
entered with the trace's inputs), its ``jump`` falls into the loop label, whose
arguments are new values; the final ``jump`` goes back to that label.  The body only
uses values defined after the loop label.

Values are named by kind and position (``i`` int64, ``f`` double); constants are
written inline (``1``, ``2.5``, ``nan``).  ``print_trace`` and ``parse_trace``
round-trip; ``verify`` checks the structural invariants every pass must keep.
"""
from __future__ import annotations

import dataclasses

import math
import re
import struct
from dataclasses import dataclass, field
from typing import Any

from . import ops as O


class Value:
    kind: str = "i"
    __slots__ = ()


class Const(Value):
    __slots__ = ("value", "kind")

    def __init__(self, value: int | float, kind: str | None = None):
        self.kind = kind or ("f" if isinstance(value, float) else "i")
        self.value = float(value) if self.kind == "f" else int(value)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Const) or other.kind != self.kind:
            return False
        if self.kind == "f":
            return struct.pack("<d", self.value) == struct.pack("<d", other.value)
        return self.value == other.value

    def __hash__(self) -> int:
        return hash((self.kind, struct.pack("<d", self.value) if self.kind == "f" else self.value))

    def __repr__(self) -> str:
        return format_const(self)


def format_const(c: Const) -> str:
    if c.kind == "i":
        return str(c.value)
    v = c.value
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    text = repr(v)
    return text if ("." in text or "e" in text) else text + ".0"


class Input(Value):
    """A value carried into the loop by ``label``."""

    __slots__ = ("kind", "index")

    def __init__(self, kind: str, index: int):
        self.kind, self.index = kind, index


@dataclass(eq=False)
class Snapshot:
    """Where the interpreter resumes if a guard fails, and where each live value is.

    ``values`` names every location the interpreter needs (``x``, ``stack1``, ...);
    ``resume`` is the opaque position the driver understands (code unit, pc, frames).
    """

    values: list[tuple[str, Value]]
    line: int = 0
    resume: Any = None
    yields: bool = False     # the GIL hand-over exit of a trace that holds the GIL

    def with_values(self, values: list[tuple[str, Value]]) -> "Snapshot":
        """The same resume point with other values (every other field kept)."""
        return dataclasses.replace(self, values=values)

    def fail_args(self) -> list[Value]:
        out: list[Value] = []
        for _, v in self.values:
            if not isinstance(v, Const) and v not in out:
                out.append(v)
        return out


class Op(Value):
    __slots__ = ("num", "args", "snapshot", "descr", "kind", "forward", "line")

    def __init__(self, num: int, args: list[Value], snapshot: Snapshot | None = None,
                 descr: Any = None, line: int = 0):
        self.num, self.args, self.snapshot, self.descr = num, list(args), snapshot, descr
        self.kind = O.OPS[num].result
        self.forward: Value | None = None
        self.line = line

    @property
    def name(self) -> str:
        return O.OPS[self.num].name

    @property
    def desc(self) -> O.OpDesc:
        return O.OPS[self.num]

    def __repr__(self) -> str:
        return f"<{self.name} {self.args}>"


def resolve(v: Value) -> Value:
    """Follow forwarding (``make_equal_to``) to the representative value."""
    while isinstance(v, Op) and v.forward is not None:
        v = v.forward
    return v


@dataclass(eq=False)
class Trace:
    inputs: list[Input]
    ops: list[Op] = field(default_factory=list)   # label first, jump (or finish) last
    # what is known of integer inputs on every entry: input position -> (lo, hi)
    input_bounds: dict[int, tuple[int, int]] = field(default_factory=dict)
    # input positions holding array buffer starts: two such buffers are the same or apart
    buffers: frozenset[int] = frozenset()

    @property
    def label(self) -> Op:
        return self.ops[0]

    def loop_index(self) -> int:
        """Position of the label the final jump goes to (0 unless the loop is peeled)."""
        for i in range(len(self.ops) - 1, 0, -1):
            if self.ops[i].num == O.LABEL:
                return i
        return 0

    @property
    def loop_label(self) -> Op:
        return self.ops[self.loop_index()]

    @property
    def loop_inputs(self) -> list:
        """The values the loop label defines (the trace's inputs unless peeled)."""
        i = self.loop_index()
        return self.inputs if i == 0 else self.ops[i].args

    def guards(self) -> list[Op]:
        return [op for op in self.ops if O.is_guard(op.num)]

    def with_ops(self, ops: list[Op]) -> "Trace":
        """The same inputs (and their known bounds) with other ops: what passes return."""
        return Trace(self.inputs, ops, self.input_bounds, self.buffers)

    def copy(self) -> "Trace":
        """A deep copy (values remapped), so passes can work on their own trace."""
        inputs = [Input(i.kind, i.index) for i in self.inputs]
        m: dict[int, Value] = {id(a): b for a, b in zip(self.inputs, inputs)}

        def get(v: Value) -> Value:
            v = resolve(v)
            return v if isinstance(v, Const) else m[id(v)]
        out = Trace(inputs, input_bounds=dict(self.input_bounds), buffers=self.buffers)
        for k, op in enumerate(self.ops):
            if op.num == O.LABEL and k:          # a loop label defines new values
                args = [Input(a.kind, a.index) for a in op.args]
                m.update((id(a), b) for a, b in zip(op.args, args))
                out.ops.append(Op(O.LABEL, args, None, op.descr, op.line))
                continue
            snap = None
            if op.snapshot is not None:
                snap = op.snapshot.with_values([(n, get(v)) for n, v in op.snapshot.values])
            new = Op(op.num, [get(a) for a in op.args], snap, op.descr, op.line)
            m[id(op)] = new
            out.ops.append(new)
        return out


# -- printing ------------------------------------------------------------------------------
class Namer:
    def __init__(self, trace: Trace):
        self.names: dict[int, str] = {}
        n = 0
        for v in trace.inputs:
            self.names[id(v)] = f"{v.kind}{n}"
            n += 1
        for k, op in enumerate(trace.ops):
            if op.num == O.LABEL and k:
                for v in op.args:
                    self.names[id(v)] = f"{v.kind}{n}"
                    n += 1
            if op.kind != "n":
                self.names[id(op)] = f"{op.kind}{n}"
                n += 1

    def __call__(self, v: Value) -> str:
        v = resolve(v)
        if isinstance(v, Const):
            return format_const(v)
        return self.names.get(id(v), "?")


def format_op(op: Op, name: Namer, guard_index: dict[int, int] | None = None) -> str:
    args = ", ".join(name(a) for a in op.args)
    if op.descr is not None and op.desc.is_call:
        args = f"{op.descr}" + (", " + args if args else "")
    text = f"{op.name}({args})"
    if op.kind != "n":
        text = f"{name(op)} = {text}"
    if op.snapshot is not None:
        s = op.snapshot
        k = guard_index.get(id(op), 0) if guard_index else 0
        vals = " ".join(f"{n}={name(v)}" for n, v in s.values)
        text += f" [snap {k}: {vals} @line {s.line}]".replace(":  @", ": @")
    return text


def print_trace(trace: Trace) -> str:
    name = Namer(trace)
    gi = {id(g): i for i, g in enumerate(trace.guards())}
    lines = []
    for k, op in enumerate(trace.ops):
        if op.num == O.LABEL:
            args = op.args if k else trace.inputs
            lines.append("label(" + ", ".join(name(v) for v in args) + ")")
        else:
            lines.append(format_op(op, name, gi))
    return "\n".join(lines)


# -- parsing -------------------------------------------------------------------------------
_LINE = re.compile(r"^(?:(?P<res>[if]\d+) = )?(?P<op>\w+)\((?P<args>[^)]*)\)"
                   r"(?: \[snap \d+:(?P<snap>[^@]*)@line (?P<line>\d+)\])?$")


def _parse_value(tok: str, env: dict[str, Value]) -> Value:
    tok = tok.strip()
    if tok in env:
        return env[tok]
    if re.fullmatch(r"[if]\d+", tok):
        raise ValueError(f"undefined value {tok}")
    if tok in ("nan", "inf", "-inf") or "." in tok or "e" in tok.lower():
        return Const(float(tok), "f")
    return Const(int(tok), "i")


def parse_trace(text: str, calls: dict[str, Any] | None = None) -> Trace:
    """Parse the canonical text form (``calls`` maps call descriptors to targets)."""
    env: dict[str, Value] = {}
    trace: Trace | None = None
    for raw in text.strip().splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        m = _LINE.match(line)
        if not m:
            raise ValueError(f"cannot parse: {raw!r}")
        toks = [t for t in m["args"].split(",") if t.strip()]
        if m["op"] == "label":
            inputs = []
            for i, t in enumerate(toks):
                t = t.strip()
                inputs.append(Input(t[0], i))
                env[t] = inputs[-1]
            if trace is None:
                trace = Trace(inputs)
            trace.ops.append(Op(O.LABEL, list(inputs)))
            continue
        assert trace is not None, "trace must start with label"
        num = O.BY_NAME[m["op"]].num
        descr = None
        if O.OPS[num].is_call:
            descr = toks.pop(0).strip()
            descr = (calls or {}).get(descr, descr)
        args = [_parse_value(t, env) for t in toks]
        snap = None
        if m["snap"] is not None:
            pairs = []
            for item in m["snap"].split():
                n, _, v = item.partition("=")
                pairs.append((n, _parse_value(v, env)))
            snap = Snapshot(pairs, int(m["line"]))
        op = Op(num, args, snap, descr)
        trace.ops.append(op)
        if m["res"]:
            env[m["res"]] = op
    assert trace is not None
    return trace


# -- verification --------------------------------------------------------------------------
def verify(trace: Trace, loop_inputs: list[Input] | None = None) -> None:
    """Raise AssertionError unless the trace is well formed (a bridge's jump must match
    `loop_inputs`, the inputs of the loop it goes back to)."""
    ops = trace.ops
    assert ops and ops[0].num == O.LABEL, "trace must start with label"
    assert ops[-1].num in (O.JUMP, O.FINISH), "trace must end with jump or finish"
    defined: set[int] = {id(v) for v in trace.inputs}
    mid = trace.loop_index()
    if mid:
        assert loop_inputs is None, "a bridge has no loop label"
        assert ops[mid - 1].num == O.JUMP, "the preamble must end with a jump to the loop label"
        assert ops[-1].num == O.JUMP, "a peeled loop ends with a jump"
        assert all(isinstance(a, Input) for a in ops[mid].args), "label arguments are inputs"
        assert all(op.num != O.JUMP for op in ops[mid + 1:-1]), "jump inside the loop body"
    for i, op in enumerate(ops):
        desc = op.desc
        if i and op.num == O.LABEL:
            assert i == mid, "at most one loop label"
            defined = {id(v) for v in op.args}      # the body sees only the label's values
            continue
        if op.num == O.JUMP and i + 1 < len(ops):
            assert i + 1 == mid, "jump before the end must fall into the loop label"
        if desc.arity is not None:
            assert len(op.args) == desc.arity, f"{op.name}: {len(op.args)} args"
            for a, k in zip(op.args, desc.args):
                assert resolve(a).kind == k, f"{op.name}: arg kind {resolve(a).kind} != {k}"
        for a in op.args:
            a = resolve(a)
            assert isinstance(a, Const) or id(a) in defined, f"{op.name} uses an undefined value"
        if O.is_guard(op.num):
            assert op.snapshot is not None, f"{op.name} without snapshot"
            for _, v in op.snapshot.values:
                v = resolve(v)
                assert isinstance(v, Const) or id(v) in defined, "snapshot uses an undefined value"
        if op.num in (O.GUARD_NO_OVERFLOW, O.GUARD_OVERFLOW):
            assert i > 0 and ops[i - 1].desc.overflow, "overflow guard must follow an _ovf op"
        if op.desc.overflow:
            assert i + 1 < len(ops) and ops[i + 1].num in (O.GUARD_NO_OVERFLOW, O.GUARD_OVERFLOW), \
                f"{op.name} must be followed by an overflow guard"
        if op.num == O.JUMP:
            target = loop_inputs if loop_inputs is not None else trace.loop_inputs
            assert [resolve(a).kind for a in op.args] == [v.kind for v in target], \
                "jump arguments must match the label"
        if op.kind != "n":
            defined.add(id(op))
