"""Listings of compiled loops: source lines, IR before and after optimisation, what each
optimisation pass did, guards with their snapshots and failure counts, and the machine
code of each IR op (cross-linked); a peeled loop's preamble and body are marked apart.

``build(loop)`` gives plain data (what the widgets read); ``Listing.text()`` is the
terminal and event-log form, ``Listing.html()`` the notebook form.
"""
from __future__ import annotations

import html
import linecache
from dataclasses import dataclass, field

from .ir import ops as I
from .ir.trace import Namer, format_op, print_trace


@dataclass
class OpRow:
    index: int
    ir: str
    line: int
    guard: int | None = None          # guard number, for guards
    failures: int = 0
    asm: list[tuple[int, str, str, str]] = field(default_factory=list)  # (addr, hex, mnemonic, operands)


@dataclass
class Listing:
    loop_id: int
    scope: str
    line: int
    target: str
    entries: int
    source: list[tuple[int, str]]
    before: str
    rows: list[OpRow]
    exits: list[tuple[int, list[tuple[int, str, str, str]]]]   # guard -> exit stub instructions
    aborts: list[str]
    code_bytes: int = 0
    bridges: list[tuple[int, int, str]] = field(default_factory=list)  # (guard, first exit, IR)
    passes: list = field(default_factory=list)     # opt.log.PassDiff, one per pass run
    loop_row: int = 0                              # a peeled loop: index of its loop label

    def section(self, r: OpRow) -> str | None:
        """The heading a row starts, in a peeled loop."""
        if not self.loop_row:
            return None
        if r.index == 0:
            return "preamble (first iteration, entered from the interpreter and bridges)"
        if r.index == self.loop_row:
            return "loop body (repeats; loop-invariant values come in through the label)"
        return None

    def text(self) -> str:
        out = [f"loop {self.loop_id} — {self.scope}, line {self.line} — {self.target}, "
               f"entered {self.entries} times, {self.code_bytes} bytes of code"]
        out.append("-- source")
        out += [f"{n:5} | {t}" for n, t in self.source]
        out.append(f"-- IR before optimisation ({self.before.count(chr(10)) + 1} ops)")
        out.append(self.before)
        if self.passes:
            out.append("-- optimisation passes (- removed, ~ rewritten, + added)")
            out += [d.text() for d in self.passes]
        out.append(f"-- IR after optimisation ({len(self.rows)} ops) and machine code")
        for r in self.rows:
            head = self.section(r)
            if head:
                out.append(f"   == {head}")
            tail = f"    # line {r.line}" + (f", failed {r.failures}x" if r.guard is not None else "")
            out.append(f"{r.index:4}: {r.ir}{tail}")
            out += [f"        {a:12x}  {h:<22} {m} {o}".rstrip() for a, h, m, o in r.asm]
        for guard, first, ir in self.bridges:
            out.append(f"-- bridge from guard {guard} (its guards are exits {first}..)")
            out.append(ir)
        if self.aborts:
            out.append("-- aborted attempts")
            out += [f"  {a}" for a in self.aborts]
        return "\n".join(out)

    def html(self) -> str:
        e = html.escape
        lid = f"jitnb-l{self.loop_id}"
        rows = []
        for r in self.rows:
            head = self.section(r)
            if head:
                rows.append(f"<tr class='section'><td colspan='3'><b>{e(head)}</b></td></tr>")
            cls = "guard" if r.guard is not None else ""
            fail = (f"<span class='fail'>failed {r.failures}×</span>" if r.guard is not None else "")
            asm = "<br>".join(f"<span class='addr'>{a:x}</span> {e(m)} {e(o)}" for a, _, m, o in r.asm)
            rows.append(f"<tr id='{lid}-op{r.index}' class='{cls}'><td class='ln'>"
                        f"<a href='#{lid}-src{r.line}'>{r.line}</a></td><td><code>{e(r.ir)}</code> {fail}"
                        f"</td><td><code class='asm'>{asm}</code></td></tr>")
        src = "".join(f"<tr id='{lid}-src{n}'><td class='ln'>{n}</td><td><code>{e(t)}</code></td></tr>"
                      for n, t in self.source)
        aborts = "".join(f"<li>{e(a)}</li>" for a in self.aborts)
        return (f"<div class='jitnb-listing'><style>.jitnb-listing td{{vertical-align:top;"
                f"text-align:left;padding:1px 6px}}.jitnb-listing tr.guard{{background:#fff4e0}}"
                f".jitnb-listing .fail{{color:#b35900}}.jitnb-listing .ln{{color:#888}}"
                f".jitnb-listing .addr{{color:#888}}.jitnb-listing :target{{background:#e0f0ff}}"
                f".jitnb-listing tr.section{{background:#eef}}</style>"
                f"<b>loop {self.loop_id}</b> — {e(self.scope)}, line {self.line} — {e(self.target)}, "
                f"entered {self.entries}×, {self.code_bytes} bytes"
                f"<details open><summary>source</summary><table>{src}</table></details>"
                f"<details><summary>IR before optimisation</summary><pre>{e(self.before)}</pre></details>"
                + (f"<details><summary>optimisation passes</summary><pre>"
                   f"{e(chr(10).join(d.text() for d in self.passes))}</pre></details>"
                   if self.passes else "") +
                f"<details open><summary>IR after optimisation ↔ machine code</summary>"
                f"<table><tr><th>line</th><th>IR</th><th>machine code</th></tr>{''.join(rows)}</table>"
                f"</details>" + "".join(
                    f"<details><summary>bridge from guard {g} (exits {first}..)</summary>"
                    f"<pre>{e(ir)}</pre></details>" for g, first, ir in self.bridges)
                + (f"<details><summary>aborts</summary><ul>{aborts}</ul></details>"
                   if aborts else "") + "</div>")


def _source(filename: str, lines: list[int]) -> list[tuple[int, str]]:
    lo, hi = min(lines), max(lines)
    return [(n, linecache.getline(filename, n).rstrip("\n")) for n in range(lo, hi + 1)]


def ir_lines(trace) -> list[str]:
    """The canonical text of each op of a trace (guards numbered, label with its inputs)."""
    name = Namer(trace)
    gi = {id(g): k for k, g in enumerate(trace.guards())}
    return ["label(" + ", ".join(name(v) for v in (op.args if k else trace.inputs)) + ")"
            if op.num == I.LABEL else format_op(op, name, gi) for k, op in enumerate(trace.ops)]


def build(loop) -> Listing | None:
    """The listing of a driver Loop (None until it has been compiled)."""
    c = loop.compiled
    if c is None:
        return None
    trace = c.trace
    gi = {id(g): k for k, g in enumerate(trace.guards())}
    texts = ir_lines(trace)
    image = getattr(c.executor, "image", None)
    insns: list = []
    base = 0
    if image is not None:
        from ..emu.disasm import disassemble
        base = getattr(getattr(c.executor, "code", None), "address", 0) or 0
        insns = disassemble(image.code[:image.code_size], image.arch, base)
    rows = []
    for i, op in enumerate(trace.ops):
        g = gi.get(id(op))
        text = texts[i]
        if op.snapshot is not None and op.snapshot.yields:
            text += " (GIL hand-over exit)"
        row = OpRow(i, text, op.line or loop.line, g, c.guards[g].failures if g is not None else 0)
        if image is not None and i < len(image.op_offsets):
            start, end = image.op_offsets[i]
            row.asm = [(base + a, raw.hex(), m, o) for a, raw, m, o in insns if start <= a < end]
        rows.append(row)
    exits: list = []
    lines = [r.line for r in rows if r.line] or [loop.line]
    bridges = []
    first = len(trace.guards())
    for exit, _, btrace in c.bridges:
        counts = c.guards[first:first + len(btrace.guards())]
        text = print_trace(btrace)
        text += "".join(f"\n  exit {first + i}: failed {g.failures}x" for i, g in enumerate(counts))
        bridges.append((exit, first, text))
        first += len(btrace.guards())
    return Listing(loop.id, loop.scope, loop.line, c.executor.name, c.entries,
                   _source(loop.unit.cell.filename, lines + [loop.line]),
                   print_trace(c.recorded.trace), rows, exits, list(loop.abort_reasons),
                   getattr(image, "code_size", 0), bridges,
                   c.opt_log.diffs() if c.opt_log is not None else [], trace.loop_index())


# -- the same trace for both architectures ---------------------------------------------------
ARCHES = ("x86_64", "aarch64")


@dataclass
class SideBySide:
    loop_id: int
    rows: list[tuple[str, dict[str, list[str]]]]   # IR text, arch -> instructions
    code_bytes: dict[str, int]
    instructions: dict[str, int]

    def text(self, width: int = 44) -> str:
        head = f"loop {self.loop_id}: " + ", ".join(
            f"{a} {self.instructions[a]} instructions / {self.code_bytes[a]} bytes" for a in ARCHES)
        out = [head, f"{'x86_64':<{width}} | aarch64"]
        for ir, asm in self.rows:
            out.append(f"# {ir}")
            left, right = asm["x86_64"], asm["aarch64"]
            for i in range(max(len(left), len(right))):
                a = left[i] if i < len(left) else ""
                b = right[i] if i < len(right) else ""
                out.append(f"  {a:<{width - 2}} | {b}")
        return "\n".join(out)

    def html(self) -> str:
        e = html.escape
        rows = "".join(
            f"<tr><td><code>{e(ir)}</code></td>" + "".join(
                f"<td><code>{'<br>'.join(e(x) for x in asm[a])}</code></td>" for a in ARCHES) + "</tr>"
            for ir, asm in self.rows)
        totals = "".join(f"<th>{a}: {self.instructions[a]} instructions, {self.code_bytes[a]} bytes</th>"
                         for a in ARCHES)
        return (f"<div class='jitnb-listing'><b>loop {self.loop_id}</b>, the same trace on both "
                f"architectures<table><tr><th>IR</th>{totals}</tr>{rows}</table></div>")


def side_by_side(loop) -> SideBySide | None:
    """Assemble a compiled loop's trace for x86_64 and AArch64 and pair their code per IR op."""
    c = loop.compiled
    if c is None:
        return None
    from ..emu.disasm import disassemble
    from .backend import compile_trace
    trace = c.trace
    per_arch: dict[str, list[list[str]]] = {}
    sizes: dict[str, int] = {}
    counts: dict[str, int] = {}
    for arch in ARCHES:
        image = compile_trace(trace, arch)
        insns = disassemble(image.code[:image.code_size], arch)
        sizes[arch], counts[arch] = image.code_size, len(insns)
        per_op: list[list[str]] = []
        for i in range(len(trace.ops)):
            start, end = image.op_offsets[i] if i < len(image.op_offsets) else (0, 0)
            per_op.append([f"{m} {o}".strip() for a, _, m, o in insns if start <= a < end])
        per_arch[arch] = per_op
    rows = [(ir, {a: per_arch[a][i] for a in ARCHES}) for i, ir in enumerate(ir_lines(trace))]
    return SideBySide(loop.id, rows, sizes, counts)
