"""Register allocation over a trace, shared by every backend.

    trace ─► dead pure ops dropped ─► uses per value (position, needs a register?)
          ─► compare+guard pairs fused ─► one walk in op order ─► Allocation

The walk is a linear scan over straight-line code with one back-edge.  At each op:

    1. arguments that must be in registers and are spilled are reloaded;
    2. registers the op's machine code destroys (``clobbers``) are emptied of values
       that live past the op: moved to a free register, else spilled;
    3. the result gets the register of an argument that dies here (``reuse``), else
       the label register of the ``jump`` slot it feeds, else a free register, else
       the register of the value whose next use is furthest away (that one is spilled);
    4. values whose last use is this op free their register and spill slot.

Choices among free registers steer clear of registers that an op inside the value's
lifetime clobbers (a division, a call) and of label registers still waiting for the
value the ``jump`` will put there, so small loops run without moves.

Values are SSA, so a value's spill slot stays valid once written: a second eviction
does not store again.  Guard snapshots (``fail_args``) and ``jump`` arguments keep
values alive but read them wherever they are (register, spill slot or constant);
the backend's exit stubs and the ``jump`` parallel move do the rest.

Everything here is architecture independent: the backend passes its allocatable
register numbers, the registers each op clobbers, and which comparisons it can fuse
with the guard that follows; it gets back ``Location`` values (``Reg``, ``Stack``,
``Imm``) and ``Move`` lists to emit.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Callable, Iterable, Sequence, Union

from ..ir import ops as O
from ..ir.trace import Const, Op, Trace, Value, resolve


# -- locations -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Reg:
    """A machine register: ``num`` as encoded, ``kind`` ``"i"`` (integer) or ``"f"`` (float)."""

    num: int
    kind: str

    def __repr__(self) -> str:
        return f"{'r' if self.kind == 'i' else 'v'}{self.num}"


@dataclass(frozen=True)
class Stack:
    """A 64-bit spill slot in the machine stack frame (slot 0 is the lowest address)."""

    slot: int

    def __repr__(self) -> str:
        return f"[sp+{8 * self.slot}]"


@dataclass(frozen=True)
class Imm:
    """A constant operand."""

    value: int | float
    kind: str

    def __repr__(self) -> str:
        return f"#{self.value!r}"


Location = Union[Reg, Stack, Imm]


@dataclass(frozen=True)
class Move:
    """``dst := src`` for a value of ``kind``."""

    src: Location
    dst: Location
    kind: str


# -- parallel moves --------------------------------------------------------------------------
def parallel_moves(moves: Iterable[tuple[Location, Location]],
                   scratch: Location) -> list[tuple[Location, Location]]:
    """Sequentialise the simultaneous assignment ``dst_k := src_k`` (all reads first).

    Destinations must be distinct; a source may feed several destinations; ``Imm``
    sources read nothing.  A move is emitted once nobody still needs to read its
    destination; when every pending destination is still needed the rest are cycles,
    and one is broken by saving a destination in ``scratch`` and redirecting its
    readers there.  ``scratch`` must not appear in ``moves``.
    """
    pending: list[tuple[Location, Location]] = []
    dsts: set[Location] = set()
    for src, dst in moves:
        if isinstance(dst, Imm):
            raise ValueError("cannot move into a constant")
        if dst in dsts:
            raise ValueError(f"two moves into {dst!r}")
        if scratch in (src, dst):
            raise ValueError("the scratch location is part of the moves")
        dsts.add(dst)
        if src != dst:
            pending.append((src, dst))
    out: list[tuple[Location, Location]] = []

    def readers(loc: Location) -> int:
        return sum(1 for s, _ in pending if s == loc)

    while pending:
        progress = False
        for k, (src, dst) in enumerate(pending):
            if readers(dst) == 0:
                out.append((src, dst))
                del pending[k]
                progress = True
                break
        if progress:
            continue
        # Only cycles are left: every destination is still read by another move.
        if readers(scratch):
            raise AssertionError("scratch still in use while breaking a second cycle")
        _, dst = pending[0]
        out.append((dst, scratch))
        pending = [(scratch if s == dst else s, d) for s, d in pending]
    return out


# -- allocation result -----------------------------------------------------------------------
@dataclass
class OpAlloc:
    """What the backend needs to emit one op."""

    moves: list[Move] = field(default_factory=list)   # before the op, in order
    args: list[Location] = field(default_factory=list)
    result: Location | None = None
    fail_locs: list[Location] | None = None            # guards: where each fail_arg lives
    skip: bool = False                                 # a dead pure op: emit nothing
    fused: bool = False                                # comparison fused into the next guard


@dataclass
class Allocation:
    ops: list[OpAlloc]
    label_locs: list[Location]          # where each trace input lives at the (first) label
    stack_slots: int                    # spill slots the frame needs
    used_regs: set[Reg]                 # every register written (for callee-saved saving)
    loop_locs: list[Location] | None = None   # a peeled loop: its loop label's values

    @property
    def loop_label_locs(self) -> list[Location]:
        """Where the values of the label the final jump goes to live."""
        return self.label_locs if self.loop_locs is None else self.loop_locs


_NO_REG_ARGS = {O.LABEL, O.JUMP, O.FINISH, O.CALL_F, O.CALL_I, O.CALL_LOOP, O.CALL_PY}
_INF = 1 << 60


class _Walk:
    def __init__(self, trace: Trace, gprs: Sequence[int], fprs: Sequence[int],
                 clobbers: Callable[[Op], Iterable[Reg]],
                 can_fuse: Callable[[Op], bool],
                 reuse: Callable[[Op], Sequence[int]], loop: bool = True,
                 target: list[Location] | None = None) -> None:
        self.trace = trace
        self.loop = loop
        self.target = target          # a preamble: where its jump puts the values
        self.reuse = reuse
        self.ops = trace.ops
        self.clobbers = clobbers
        self.can_fuse = can_fuse
        self.all_regs = {"i": [Reg(n, "i") for n in gprs], "f": [Reg(n, "f") for n in fprs]}
        self.free: dict[str, list[Reg]] = {k: list(v) for k, v in self.all_regs.items()}
        self.free_slots: dict[str, list[int]] = {"i": [], "f": []}
        self.nslots = 0
        self.reg_of: dict[int, Reg] = {}
        self.stack_of: dict[int, Stack] = {}
        self.owner: dict[Reg, int] = {}
        self.kind_of: dict[int, str] = {}
        self.used_regs: set[Reg] = set()
        self.uses: dict[int, list[int]] = {}       # every use position
        self.reg_uses: dict[int, list[int]] = {}   # positions that need a register
        self.jump_want: dict[int, int] = {}        # value -> jump slot it feeds

    # -- analysis ----------------------------------------------------------------------
    def analyse(self) -> None:
        ops = self.ops
        n = len(ops)
        # Each guard's fail_args, resolved (Snapshot.fail_args is quadratic: call it once).
        self.fail: dict[int, list[Value]] = {
            i: [resolve(v) for v in op.snapshot.fail_args()]
            for i, op in enumerate(ops) if op.snapshot is not None and O.is_guard(op.num)}
        # Backwards: a pure op nobody uses is dead.
        used: set[int] = set()
        self.skip = [False] * n
        for i in range(n - 1, 0, -1):
            op = ops[i]
            if op.desc.pure and op.kind != "n" and id(op) not in used:
                self.skip[i] = True
                continue
            for a in op.args:
                used.add(id(resolve(a)))
            for v in self.fail.get(i, ()):
                used.add(id(v))
        self.pos = {id(op): i for i, op in enumerate(ops)}
        # Forwards: use positions.
        count: dict[int, int] = {}
        for i, op in enumerate(ops):
            if i == 0 or self.skip[i]:
                continue
            for a in op.args:
                a = resolve(a)
                if not isinstance(a, Const):
                    count[id(a)] = count.get(id(a), 0) + 1
            for v in self.fail.get(i, ()):
                if not isinstance(v, Const):
                    count[id(v)] = count.get(id(v), 0) + 1
        # Fuse "cmp; guard_true/false(cmp)" when the comparison has no other use.
        self.fused = [False] * n
        for i in range(1, n - 1):
            op, nxt = ops[i], ops[i + 1]
            if (not self.skip[i] and self.can_fuse(op) and op.forward is None
                    and nxt.num in (O.GUARD_TRUE, O.GUARD_FALSE)
                    and resolve(nxt.args[0]) is op and count.get(id(op)) == 1):
                self.fused[i] = True
        for v in self.trace.inputs:
            self.kind_of[id(v)] = v.kind
        for i, op in enumerate(ops):
            if op.kind != "n":
                self.kind_of[id(op)] = op.kind
            if i == 0 or self.skip[i]:
                continue
            guard_fused = O.is_guard(op.num) and self.fused[i - 1]
            for a in op.args:
                a = resolve(a)
                if isinstance(a, Const) or guard_fused:
                    continue
                self._use(a, i, op.num not in _NO_REG_ARGS or op.num == O.JUMP)
            for v in self.fail.get(i, ()):
                if not isinstance(v, Const):
                    self._use(v, i, False)
            if op.num == O.JUMP and (self.loop or self.target is not None):
                for k, a in enumerate(op.args):
                    a = resolve(a)
                    if not isinstance(a, Const):
                        self.jump_want.setdefault(id(a), k)
        # Ops that destroy registers, so long-lived values can stay out of their way:
        # the positions of each distinct clobber set (there are only a few).
        self.clob_at: dict[frozenset[Reg], list[int]] = {}
        for i, op in enumerate(ops):
            if i and not self.skip[i]:
                regs = frozenset(self.clobbers(op))
                if regs:
                    self.clob_at.setdefault(regs, []).append(i)

    def crossed_clobbers(self, key: int, start: int) -> set[Reg]:
        """Registers destroyed by ops strictly between ``start`` and the value's last use."""
        out: set[Reg] = set()
        end = self.last_use(key)
        for regs, positions in self.clob_at.items():
            k = bisect.bisect_right(positions, start)
            if k < len(positions) and positions[k] < end:
                out |= regs
        return out

    def _use(self, v: Value, i: int, needs_reg: bool) -> None:
        self.uses.setdefault(id(v), []).append(i)
        if needs_reg:
            self.reg_uses.setdefault(id(v), []).append(i)

    def last_use(self, key: int) -> int:
        u = self.uses.get(key)
        return u[-1] if u else -1

    def next_reg_use(self, key: int, i: int) -> int:
        u = self.reg_uses.get(key, [])
        k = bisect.bisect_right(u, i)
        return u[k] if k < len(u) else _INF

    # -- state -------------------------------------------------------------------------
    def loc(self, v: Value) -> Location:
        v = resolve(v)
        if isinstance(v, Const):
            return Imm(v.value, v.kind)
        key = id(v)
        if key in self.reg_of:
            return self.reg_of[key]
        if key in self.stack_of:
            return self.stack_of[key]
        raise AssertionError(f"value {v!r} has no location")

    def new_slot(self, kind: str) -> Stack:
        """A free spill slot.  Int and float values never share a slot, so the jump's
        integer and float parallel moves are independent of each other."""
        if self.free_slots[kind]:
            return Stack(self.free_slots[kind].pop())
        self.nslots += 1
        return Stack(self.nslots - 1)

    def bind(self, key: int, reg: Reg) -> None:
        self.reg_of[key] = reg
        self.owner[reg] = key
        self.used_regs.add(reg)

    def unbind(self, key: int) -> Reg | None:
        reg = self.reg_of.pop(key, None)
        if reg is not None:
            del self.owner[reg]
        return reg

    def release(self, reg: Reg) -> None:
        """Return a register to the free list, in its preference order."""
        order = self.all_regs[reg.kind]
        free = self.free[reg.kind]
        free.append(reg)
        free.sort(key=order.index)

    def spill(self, key: int, moves: list[Move]) -> Reg:
        reg = self.unbind(key)
        assert reg is not None
        if key not in self.stack_of:
            slot = self.new_slot(self.kind_of[key])
            self.stack_of[key] = slot
            moves.append(Move(reg, slot, self.kind_of[key]))
        return reg

    def take(self, kind: str, i: int, protect: set[Reg], moves: list[Move],
             avoid: Iterable[Reg] = (), prefer: Reg | None = None) -> Reg:
        """A register for a new occupant: free if possible, else evict furthest next use."""
        free = self.free[kind]
        if prefer is not None and prefer in free:
            free.remove(prefer)
            return prefer
        avoid = set(avoid)
        for r in free:
            if r not in avoid:
                free.remove(r)
                return r
        if free:
            return free.pop(0)
        victims = [r for r in self.owner if r.kind == kind and r not in protect]
        if not victims:
            raise RuntimeError(f"out of {kind} registers: too many operands live in one op")
        victim = max(victims, key=lambda r: (self.next_reg_use(self.owner[r], i),
                                             self.last_use(self.owner[r])))
        return self.spill(self.owner[victim], moves)

    def free_value(self, key: int) -> None:
        reg = self.unbind(key)
        if reg is not None:
            self.release(reg)
        slot = self.stack_of.pop(key, None)
        if slot is not None:
            self.free_slots[self.kind_of[key]].append(slot.slot)

    # -- the walk ----------------------------------------------------------------------
    def label(self) -> list[Location]:
        inputs = self.trace.inputs
        jump = self.ops[-1] if self.ops[-1].num == O.JUMP and self.loop else None
        order = sorted(range(len(inputs)), key=lambda k: (
            self.next_reg_use(id(inputs[k]), 0) if id(inputs[k]) in self.uses else _INF + k))
        locs: list[Location | None] = [None] * len(inputs)
        dead: list[tuple[str, Location]] = []   # released once every input has its place
        for k in order:
            v = inputs[k]
            if self.free[v.kind] and (id(v) in self.uses or jump is not None):
                avoid = self.crossed_clobbers(id(v), 0)
                reg = next((r for r in self.free[v.kind] if r not in avoid), self.free[v.kind][0])
                self.free[v.kind].remove(reg)
                self.used_regs.add(reg)
                locs[k] = reg
                if id(v) in self.uses:
                    self.bind(id(v), reg)
                else:
                    dead.append((v.kind, reg))
            else:
                slot = self.new_slot(v.kind)
                locs[k] = slot
                if id(v) in self.uses:
                    self.stack_of[id(v)] = slot
                else:
                    dead.append((v.kind, slot))
        for kind, loc in dead:
            if isinstance(loc, Reg):
                self.release(loc)
            else:
                self.free_slots[kind].append(loc.slot)
        self.label_locs = [loc for loc in locs if loc is not None]
        self.target_locs = self.target if self.target is not None else self.label_locs
        if self.target is not None:
            jump = self.ops[-1]
        # Label registers that a value defined later will be moved into at the jump:
        # other values stay out of them when they can, so the jump needs no move.
        self.reserved: dict[Reg, int] = {}
        if jump is not None:
            for k, a in enumerate(jump.args):
                a = resolve(a)
                loc = self.target_locs[k]
                if isinstance(a, Op) and isinstance(loc, Reg) and self.jump_want.get(id(a)) == k:
                    self.reserved[loc] = self.pos.get(id(a), 0)
        return self.label_locs

    def reserved_after(self, i: int) -> set[Reg]:
        return {r for r, p in self.reserved.items() if p > i}

    def step(self, i: int, op: Op) -> OpAlloc:
        out = OpAlloc()
        if self.skip[i]:
            out.skip = True
            return out
        moves = out.moves
        guard_fused = O.is_guard(op.num) and self.fused[i - 1]
        args = [resolve(a) for a in op.args]
        reg_args = [] if (op.num in _NO_REG_ARGS or guard_fused) else \
            [a for a in args if not isinstance(a, Const)]
        clob = set(self.clobbers(op))
        protect = {self.reg_of[id(a)] for a in reg_args if id(a) in self.reg_of}
        for a in reg_args:
            key = id(a)
            if key not in self.reg_of:
                reg = self.take(a.kind, i, protect, moves,
                                avoid=clob | self.crossed_clobbers(key, i) | self.reserved_after(i))
                moves.append(Move(self.stack_of[key], reg, a.kind))
                self.bind(key, reg)
                protect.add(reg)
        for reg in sorted(clob, key=lambda r: (r.kind, r.num)):
            key = self.owner.get(reg)
            if key is None or self.last_use(key) <= i:
                continue
            later = self.crossed_clobbers(key, i)
            alt = next((r for r in self.free[reg.kind] if r not in clob and r not in later),
                       next((r for r in self.free[reg.kind] if r not in clob), None))
            if alt is not None:
                self.free[reg.kind].remove(alt)
                self.unbind(key)
                moves.append(Move(reg, alt, self.kind_of[key]))
                self.bind(key, alt)
                self.release(reg)
            else:
                self.release(self.spill(key, moves))
        out.args = [] if guard_fused else [self.loc(a) for a in args]
        protect = {loc for loc in out.args if isinstance(loc, Reg)}
        fail = self.fail.get(i, [])
        if i in self.fail:
            out.fail_locs = [self.loc(v) for v in fail]
        dying = {id(a) for a in args if not isinstance(a, Const) and self.last_use(id(a)) == i}
        dying |= {id(v) for v in fail if not isinstance(v, Const) and self.last_use(id(v)) == i}
        if self.fused[i]:
            out.fused = True
        elif op.kind != "n":
            out.result = self.result_reg(i, op, args, dying, protect, moves)
        for key in dying:
            self.free_value(key)
        if op.kind != "n" and not self.fused[i] and self.last_use(id(op)) < 0:
            self.free_value(id(op))
        return out

    def result_reg(self, i: int, op: Op, args: list[Value], dying: set[int],
                   protect: set[Reg], moves: list[Move]) -> Reg:
        kind = op.kind
        reg = None
        candidates = [args[k] for k in self.reuse(op) if k < len(args)]
        if op.num not in _NO_REG_ARGS:
            for a in candidates:
                r = self.reg_of.get(id(a))
                if id(a) in dying and r is not None and r.kind == kind:
                    self.unbind(id(a))
                    reg = r
                    break
        if reg is None:
            avoid = self.crossed_clobbers(id(op), i) | self.reserved_after(i)
            prefer = None
            k = self.jump_want.get(id(op))
            if k is not None and k < len(self.target_locs):
                want = self.target_locs[k]
                prefer = want if isinstance(want, Reg) and want not in avoid else None
            reg = self.take(kind, i, protect, moves, avoid=avoid, prefer=prefer)
        self.bind(id(op), reg)
        return reg

    def run(self) -> Allocation:
        self.analyse()
        label_locs = self.label()
        allocs = [OpAlloc(args=list(label_locs))]
        for i in range(1, len(self.ops)):
            allocs.append(self.step(i, self.ops[i]))
        return Allocation(allocs, label_locs, self.nslots, self.used_regs)


def allocate(trace: Trace, gprs: Sequence[int], fprs: Sequence[int], *,
             clobbers: Callable[[Op], Iterable[Reg]] = lambda op: (),
             can_fuse: Callable[[Op], bool] = lambda op: False,
             reuse: Callable[[Op], Sequence[int]] | None = None,
             loop: bool = True) -> Allocation:
    """Allocate registers for ``trace``.

    ``gprs``/``fprs`` are the allocatable register numbers in order of preference;
    ``clobbers(op)`` the registers the op's code destroys (values living past the op
    are moved out first); ``can_fuse(op)`` whether a comparison can set the flags for
    an immediately following ``guard_true``/``guard_false`` instead of producing 0/1;
    ``reuse(op)`` the argument positions whose register the result may take over when
    that argument dies at the op (default: the first, or the first two of a
    commutative op) -- a two-address backend computes the result in place there.
    ``loop=False`` for a bridge: its ``jump`` goes to *another* trace's label, so
    values are not steered towards this trace's own label locations.

    A peeled loop is two walks: the body (loop label to the final jump) as a loop,
    then the preamble, whose jump is steered into the body's label locations; both
    share the spill area (the preamble's values are dead at the loop label).
    """
    reuse = reuse or default_reuse
    mid = trace.loop_index() if loop else 0
    if not mid:
        return _Walk(trace, gprs, fprs, clobbers, can_fuse, reuse, loop).run()
    body = _Walk(Trace(trace.ops[mid].args, trace.ops[mid:]), gprs, fprs, clobbers,
                 can_fuse, reuse, True).run()
    pre = _Walk(Trace(trace.inputs, trace.ops[:mid]), gprs, fprs, clobbers, can_fuse,
                reuse, False, target=body.label_locs).run()
    return Allocation(pre.ops + body.ops, pre.label_locs, max(pre.stack_slots, body.stack_slots),
                      pre.used_regs | body.used_regs, body.label_locs)


def default_reuse(op: Op) -> Sequence[int]:
    return (0, 1) if op.desc.commutative else (0,)
