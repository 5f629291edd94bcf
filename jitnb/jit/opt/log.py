"""What each pass of the chain did: the trace's ops kept after every pass (cheap: the
ops' argument lists), turned into per-pass diffs on demand for the listings.

Values keep one name across all passes (first seen, first named), so a diff line means
the same value before and after.  A pass may leave remarks in ``trace.notes`` (a list
of strings: unroll says what it hoisted); they are shown under its diff.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..ir import ops as O
from ..ir.trace import Const, Op, Trace, format_const, resolve


def _entry(op: Op, args=None) -> tuple:
    """An op as it is now.  Passes replace (never mutate) ``args`` and snapshot value
    lists, and leave them resolved, so keeping the lists themselves is enough."""
    snap = None if op.snapshot is None else op.snapshot.values
    return (op, op.num, args if args is not None else op.args, snap)


def _state(trace: Trace) -> list[tuple]:
    return [_entry(op, trace.inputs if (op.num == O.LABEL and not k) else None)
            for k, op in enumerate(trace.ops)]


@dataclass
class PassDiff:
    name: str
    removed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    rewritten: list[tuple[str, str]] = field(default_factory=list)
    notes: list = field(default_factory=list)
    ops_before: int = 0
    ops_after: int = 0

    def text(self, width: int = 160) -> str:
        """The diff, one op per line (lines cut at `width` characters)."""
        cut = lambda t: t if len(t) <= width else t[:width - 1] + "…"  # noqa: E731
        return "\n".join(cut(t) for t in self.lines())

    def lines(self) -> list[str]:
        head = f"{self.name}: {self.ops_before} -> {self.ops_after} ops"
        lines = [head]
        lines += [f"  - {t}" for t in self.removed]
        lines += [f"  ~ {a}  =>  {b}" for a, b in self.rewritten]
        lines += [f"  + {t}" for t in self.added]
        lines += [f"  {t}" for t in self.notes]
        if len(lines) == 1:
            lines.append("  (no change)")
        return lines


class PassLog:
    """The chain's history for one trace."""

    def __init__(self) -> None:
        self.states: list[tuple[str, list[tuple]]] = []
        self.notes: list[list[str]] = []
        self._names: dict[int, str] = {}
        self._diffs: list[PassDiff] | None = None

    def start(self, trace: Trace) -> None:
        self.states.append(("recorded", _state(trace)))
        self.notes.append([])

    def after(self, name: str, trace: Trace) -> None:
        self.states.append((name, _state(trace)))
        self.notes.append([(t, None) if isinstance(t, str) else (t[0], _entry(t[1]))
                           for t in trace.__dict__.pop("notes", [])])

    # -- text ------------------------------------------------------------------------
    def name(self, v, follow: bool = False) -> str:
        """A value's name; values in the stored states were resolved when stored."""
        if follow:
            v = resolve(v)
        if isinstance(v, Const):
            return format_const(v)
        n = self._names.get(id(v))
        if n is None:
            n = self._names[id(v)] = f"{v.kind}{len(self._names)}"
        return n

    def format(self, entry: tuple, snapshot: bool = False) -> str:
        """An op as it was; its snapshot only with `snapshot` (diffs stay short)."""
        op, num, args, snap = entry
        desc = O.OPS[num]
        text = f"{desc.name}(" + ", ".join(self.name(a) for a in args) + ")"
        if desc.result != "n":
            text = f"{self.name(op, False)} = {text}"
        if snap is not None:
            text += (" [" + " ".join(f"{n}={self.name(v)}" for n, v in snap) + "]"
                     if snapshot else f" @line {getattr(op.snapshot, 'line', 0)}")
        return text

    def diffs(self) -> list[PassDiff]:
        if self._diffs is not None:
            return self._diffs
        for entry in self.states[0][1]:      # names in recorded order
            for a in entry[2]:
                self.name(a)
            if O.OPS[entry[1]].result != "n":
                self.name(entry[0], False)
        out = []
        for k in range(1, len(self.states)):
            name, after = self.states[k]
            before = self.states[k - 1][1]
            d = PassDiff(name, ops_before=len(before), ops_after=len(after),
                         notes=[t if e is None else f"{t}: {self.format(e)}"
                                for t, e in self.notes[k]])
            old = {id(e[0]): e for e in before}
            new = {id(e[0]) for e in after}
            for e in before:
                if id(e[0]) not in new:
                    d.removed.append(self.format(e))
            for e in after:
                prev = old.get(id(e[0]))
                if prev is None:
                    if not d.notes:       # a pass that explains its additions (unroll)
                        d.added.append(self.format(e))
                else:
                    a, b = self.format(prev), self.format(e)
                    if a == b and prev[3] != e[3]:
                        a, b = self.format(prev, True), self.format(e, True)
                    if a != b:
                        d.rewritten.append((a, b))
            out.append(d)
        self._diffs = out
        return out

    def text(self) -> str:
        return "\n".join(d.text() for d in self.diffs())
