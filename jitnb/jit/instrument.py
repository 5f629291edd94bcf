"""The "interpreter" layer: rewrite a cell so CPython runs it with hot-loop counters.

For every JIT-able loop ``k`` the rewrite adds a countdown in the loop body and,
when it runs out, hands the loop to the driver with the live values::

    _jitnb_ck = _jitnb.L[k].budget               # once per loop entry
    _jitnb_ik = _jitnb.iter(<iterable>)          # for loops: the iterator stays reachable
    for <target> in _jitnb_ik:
        _jitnb_ck -= 1
        if _jitnb_ck <= 0:                       # hot: jitnb takes over from here
            _jitnb_r = _jitnb.L[k].hot(_jitnb.locals(), _jitnb.globals(), _jitnb_ik)
            <write back the locals the loop assigns>
            <raise _jitnb_r.exc at its own source line>   # one `raise` per line of the loop
            continue | return _jitnb_r.value | break        # or on into the body
        <body>
    _jitnb.L[k].budget = _jitnb_ck

A function traced from its start (``jit/entry.py``) gets a call counter at the top of its
body, its entry object ``E`` being a constant of the code::

    try:
        E.budget -= 1
        if E.budget <= 0:
            _jitnb_r = E.call(_jitnb.globals(), <parameters>)
            if _jitnb_r is not _jitnb.NOT_ENTERED: return _jitnb_r
    except _jitnb.RecursionError: pass          # CPython raises it where it would
    if E.exc is not None: <raise E.take() at its own source line>

Cold code pays one decrement and one compare per iteration (per call).  Nothing is compiled to
jitnb bytecode here: a unit is compiled when one of its loops first gets hot.  Code
outside the subset is left untouched and its reason is reported as a ``not-jitable`` event.
"""
from __future__ import annotations

import ast
import types
from dataclasses import dataclass, field

from .. import events as ev
from ..params import Params
from . import driver
from .lang.compiler import assigned_locals
from .lang.scopes import Scope, ScopeMap, analyse
from .lang.subset import check_function, check_loop, unsupported

PREFIX = "_jitnb_"
RT = driver.RUNTIME_NAME


@dataclass
class Instrumented:
    tree: ast.Module
    units: list[driver.Unit] = field(default_factory=list)
    loops: list[driver.Loop] = field(default_factory=list)
    entries: list = field(default_factory=list)     # function entries (jit/entry.py)
    rejects: list[tuple[str, int, str]] = field(default_factory=list)  # (scope, line, reason)


# -- tiny AST builders (cheaper than parsing templates); every node gets `at`'s position ------
class _Build:
    def __init__(self, at: ast.AST):
        self.pos = dict(lineno=at.lineno, col_offset=at.col_offset,
                        end_lineno=at.lineno, end_col_offset=at.col_offset)

    def name(self, n: str, store: bool = False) -> ast.Name:
        return ast.Name(n, ast.Store() if store else ast.Load(), **self.pos)

    def const(self, v) -> ast.Constant:
        return ast.Constant(v, **self.pos)

    def attr(self, value: ast.expr, a: str) -> ast.Attribute:
        return ast.Attribute(value, a, ast.Load(), **self.pos)

    def rt(self, *attrs: str) -> ast.expr:
        e: ast.expr = self.name(RT)
        for a in attrs:
            e = self.attr(e, a)
        return e

    def loop(self, k: int) -> ast.expr:  # _jitnb.L[k]
        return ast.Subscript(self.rt("L"), self.const(k), ast.Load(), **self.pos)

    def call(self, f: ast.expr, *args: ast.expr) -> ast.Call:
        return ast.Call(f, list(args), [], **self.pos)

    def assign(self, target: str, value: ast.expr) -> ast.Assign:
        return ast.Assign([self.name(target, True)], value, **self.pos)

    def if_(self, test: ast.expr, body: list[ast.stmt]) -> ast.If:
        return ast.If(test, body, [], **self.pos)

    def compare(self, left: ast.expr, op: ast.cmpop, right: ast.expr) -> ast.Compare:
        return ast.Compare(left, [op], [right], **self.pos)


class _Rewriter(ast.NodeTransformer):
    def __init__(self, cell: driver.CellSource, params: Params, out: Instrumented,
                 engine: driver.Engine):
        self.cell, self.params, self.out, self.engine = cell, params, out, engine
        self.smap: ScopeMap = cell.scopes
        self.unit: driver.Unit | None = None     # the scope being rewritten (None: not JIT-able)
        self.scope: Scope | None = None
        self.in_function = False
        self.in_class = False
        self.qual: list[str] = []
        self.looping: set[str] = set()

    # -- scopes ---------------------------------------------------------------------
    def rewrite_module(self, tree: ast.Module) -> None:
        # functions (and methods) of the cell with loops of their own, or that call such
        # a function: a loop that calls one has whole loops in each iteration, like a loop
        # nesting them
        defs = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
        self.looping = {n.name for n in defs
                        if any(isinstance(m, (ast.For, ast.While)) for m in ast.walk(n))}
        grew = True
        while grew:
            grew = False
            for n in defs:
                if n.name not in self.looping and any(self._calls_looping(m) for m in ast.walk(n)):
                    self.looping.add(n.name)
                    grew = True
        self.unit = self._register("<module>", 0, "<module>", "<module>")
        self.scope = self.smap.root
        tree.body = self._body(tree.body)

    def _register(self, name: str, lineno: int, qualname: str, scope: str) -> driver.Unit:
        unit = driver.Unit(self.cell, self.params, scope, name, lineno, qualname)
        self.out.units.append(unit)
        return unit

    def _reject(self, scope: str, line: int, reason: str) -> None:
        self.out.rejects.append((scope, line, reason))
        ev.emit(ev.NotJitable(scope, line, reason))

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        return self._function(node)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> ast.AST:
        return self._function(node)

    def _function(self, node) -> ast.AST:
        saved = (self.unit, self.scope, self.in_function, self.in_class)
        self.qual.append(node.name)
        qualname = ".".join(self.qual)
        scope = self.smap.for_function(node)
        bad = check_function(node, scope)
        if bad:
            self._reject(f"function {qualname}", node.lineno, str(bad))
            self.unit = None
        else:
            self.unit = self._register(node.name, node.lineno, qualname, f"function {qualname}")
        self.scope = scope
        entry = None
        if self.unit is not None and self.params.jit:
            why = _no_entry(node, scope)
            if why:   # its loops are still JIT-able: an event, not a reject
                ev.emit(ev.NotJitable(f"function {qualname}", node.lineno,
                                      f"not traced from its start: {why}"))
            else:
                entry = self.engine.new_entry(self.unit)
                self.out.entries.append(entry)
                dispatch = self._raise_dispatch_lines(node, list(ast.walk(node)))
        self.in_function, self.in_class = True, False
        self.qual.append("<locals>")
        node.body = self._body(node.body)
        if entry is not None:
            node.body = self._entry_prologue(node, entry, dispatch)
        self.qual.pop()
        self.qual.pop()
        self.unit, self.scope, self.in_function, self.in_class = saved
        return node

    def visit_ClassDef(self, node: ast.ClassDef) -> ast.AST:
        saved = (self.unit, self.in_class)
        self.unit, self.in_class = None, True  # loops directly in a class body stay with CPython
        self.qual.append(node.name)
        node.body = self._body(node.body)
        self.qual.pop()
        self.unit, self.in_class = saved
        return node

    def visit_Lambda(self, node: ast.Lambda) -> ast.AST:
        return node

    # -- statements -------------------------------------------------------------------
    def _body(self, stmts: list[ast.stmt]) -> list[ast.stmt]:
        out: list[ast.stmt] = []
        for s in stmts:
            r = self.visit(s)
            if isinstance(r, list):
                out.extend(r)
            elif r is not None:
                out.append(r)
        return out

    def generic_visit(self, node: ast.AST) -> ast.AST:
        if not isinstance(node, ast.stmt):
            return node
        for name in ("body", "orelse", "finalbody"):
            stmts = getattr(node, name, None)
            if isinstance(stmts, list) and stmts and isinstance(stmts[0], ast.stmt):
                setattr(node, name, self._body(stmts))
        for h in getattr(node, "handlers", ()):
            h.body = self._body(h.body)
        for c in getattr(node, "cases", ()):
            c.body = self._body(c.body)
        return node

    def visit_For(self, node: ast.For) -> ast.AST | list[ast.stmt]:
        return self._loop(node)

    def visit_While(self, node: ast.While) -> ast.AST | list[ast.stmt]:
        return self._loop(node)

    def _loop(self, node: ast.For | ast.While) -> ast.AST | list[ast.stmt]:
        unit = self.unit
        reject = dispatch = None
        if unit is not None:
            nodes = list(ast.walk(node))
            reject = check_loop(node, self.scope, nodes)
            if reject is None:
                dispatch = self._raise_dispatch_lines(node, nodes)
        node.body = self._body(node.body)
        node.orelse = self._body(node.orelse)
        if unit is None:
            if self.in_class:
                self._reject(f"class {'.'.join(self.qual)}", node.lineno,
                             f"loop in class body at line {node.lineno}: NYI")
            return node
        if reject is not None:
            self._reject(unit.scope, node.lineno, str(reject))
            return node
        assigned = assigned_locals(node, self.scope) if self.in_function else []
        loop = self.engine.new_loop(unit, node.lineno, node.col_offset, assigned)
        if any(isinstance(n, (ast.For, ast.While)) and n is not node or self._calls_looping(n)
               for n in ast.walk(node)):
            loop.set_nests()
        self.out.loops.append(loop)
        return self._instrument(node, loop, dispatch)

    def _calls_looping(self, n: ast.AST) -> bool:
        """A call of a cell function (or a method of that name) that has loops."""
        if not isinstance(n, ast.Call):
            return False
        f = n.func
        name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else None
        return name in self.looping

    @staticmethod
    def _entry_prologue(node: ast.FunctionDef, entry, dispatch: list[ast.AST]) -> list[ast.stmt]:
        """The call counter and hand-over at the top of a function body (after its
        docstring); the entry object is a constant of the code (see ``bind_entries``)."""
        first = node.body[0]
        keep = 1 if (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
                     and isinstance(first.value.value, str)) else 0
        b = _Build(node.body[keep] if keep < len(node.body) else node)
        e = lambda: b.const(entry_placeholder(entry.id))   # noqa: E731
        r = f"{PREFIX}r"
        args = [b.name(a.arg) for a in node.args.args]
        call = ast.Call(b.attr(e(), "call"), [b.call(b.rt("globals"))] + args, [], **b.pos)
        raises: list[ast.stmt] = []
        take = lambda bl: bl.call(bl.attr(bl.const(entry_placeholder(entry.id)), "take"))  # noqa: E731
        for like in dispatch:
            bl = _Build(like)
            bl.pos.update(end_lineno=like.end_lineno, end_col_offset=like.end_col_offset)
            raises.append(bl.if_(bl.compare(bl.attr(bl.const(entry_placeholder(entry.id)),
                                                    "exc_line"), ast.Eq(), bl.const(like.lineno)),
                                 [ast.Raise(take(bl), None, **bl.pos)]))
        raises.append(ast.Raise(take(b), None, **b.pos))
        # near the recursion limit the counter's comparison or the call may raise
        # RecursionError: then CPython runs the body, and raises it where it would
        budget = ast.Attribute(e(), "budget", ast.Store(), **b.pos)
        hot = [b.assign(r, call),
               b.if_(b.compare(b.name(r), ast.IsNot(), b.rt("NOT_ENTERED")),
                     [ast.Return(b.name(r), **b.pos)])]
        counted = [ast.AugAssign(budget, ast.Sub(), b.const(1), **b.pos),
                   b.if_(b.compare(b.attr(e(), "budget"), ast.LtE(), b.const(0)), hot)]
        prologue = [ast.Try(counted, [ast.ExceptHandler(b.rt("RecursionError"), None,
                                                        [ast.Pass(**b.pos)], **b.pos)],
                            [], [], **b.pos),
                    b.if_(b.compare(b.attr(e(), "exc"), ast.IsNot(), b.const(None)), raises)]
        return node.body[:keep] + prologue + node.body[keep:]

    @staticmethod
    def _raise_dispatch_lines(loop: ast.For | ast.While, nodes: list[ast.AST]) -> list[ast.AST]:
        """A located node for each source line of the loop (before it is rewritten): the first
        node starting there, or a bare position (e.g. the `.name` of a split attribute)."""
        by_line: dict[int, ast.AST] = {}
        for sub in nodes:
            line = getattr(sub, "lineno", None)
            if isinstance(sub, (ast.stmt, ast.expr)) and line is not None and line not in by_line:
                by_line[line] = sub
        end = loop.end_lineno or loop.lineno
        for line in range(loop.lineno + 1, end + 1):
            if line not in by_line:
                by_line[line] = ast.Pass(lineno=line, col_offset=0, end_lineno=line,
                                         end_col_offset=0)
        return [n for line, n in sorted(by_line.items()) if line != loop.lineno]

    def _instrument(self, node: ast.For | ast.While, loop: driver.Loop,
                    dispatch: list[ast.AST]) -> list[ast.stmt]:
        b = _Build(node)
        k = loop.id
        c, it, r, v = f"{PREFIX}c{k}", f"{PREFIX}i{k}", f"{PREFIX}r{k}", f"{PREFIX}v{k}"
        is_for = isinstance(node, ast.For)
        before: list[ast.stmt] = [b.assign(c, b.attr(b.loop(k), "budget"))]
        if is_for:
            before.append(b.assign(it, b.call(b.rt("iter"), node.iter)))
            node.iter = _Build(node.iter).name(it)
        hot: list[ast.stmt] = [b.assign(r, b.call(
            b.attr(b.loop(k), "hot"), b.call(b.rt("locals")), b.call(b.rt("globals")),
            b.name(it) if is_for else b.const(None)))]
        if loop.assigned:
            hot.append(b.assign(v, b.attr(b.name(r), "vals")))
            for i, name in enumerate(loop.assigned):
                item = ast.Subscript(b.name(v), b.const(i), ast.Load(), **b.pos)
                hot.append(b.if_(b.compare(item, ast.IsNot(), b.rt("UNBOUND")),
                                 [ast.Assign([b.name(name, True)],
                                             ast.Subscript(b.name(v), b.const(i), ast.Load(), **b.pos),
                                             **b.pos)]))
        hot.append(b.assign(c, b.attr(b.name(r), "budget")))
        hot.append(self._raise_dispatch(node, r, dispatch))
        kind = b.attr(b.name(r), "kind")
        hot.append(b.if_(b.compare(kind, ast.Eq(), b.const(driver.RESUME)), [ast.Continue(**b.pos)]))
        if self.in_function:
            hot.append(b.if_(b.compare(b.attr(b.name(r), "kind"), ast.Eq(), b.const(driver.RETURN)),
                             [ast.Return(b.attr(b.name(r), "value"), **b.pos)]))
        hot.append(b.if_(b.compare(b.attr(b.name(r), "kind"), ast.NotEq(), b.const(driver.BODY)),
                         [ast.Break(**b.pos)]))
        check = [ast.AugAssign(b.name(c, True), ast.Sub(), b.const(1), **b.pos),
                 b.if_(b.compare(b.name(c), ast.LtE(), b.const(0)), hot)]
        node.body = check + node.body
        after = ast.Assign([ast.Attribute(b.loop(k), "budget", ast.Store(), **b.pos)], b.name(c), **b.pos)
        # the helper names leave the namespace with the loop (locals()/globals() stay clean)
        before.append(b.assign(r, b.const(None)))
        names = [c, r] + ([it] if is_for else [])
        if loop.assigned:
            before.append(b.assign(v, b.const(None)))
            names.append(v)
        cleanup = ast.Delete([b.name(n, True) for n in names], **b.pos)
        for t in cleanup.targets:
            t.ctx = ast.Del()
        return before + [node, after, cleanup]

    @staticmethod
    def _raise_dispatch(loop: ast.For | ast.While, r: str, lines: list[ast.AST]) -> ast.stmt:
        """`raise` the handed-back exception from a statement located at its own line."""
        b = _Build(loop)
        body: list[ast.stmt] = []
        for like in lines:
            bl = _Build(like)
            bl.pos.update(end_lineno=like.end_lineno, end_col_offset=like.end_col_offset)
            body.append(bl.if_(bl.compare(bl.attr(bl.name(r), "line"), ast.Eq(), bl.const(like.lineno)),
                               [ast.Raise(bl.attr(bl.name(r), "exc"), None, **bl.pos)]))
        body.append(ast.Raise(b.attr(b.name(r), "exc"), None, **b.pos))
        return b.if_(b.compare(b.attr(b.name(r), "exc"), ast.IsNot(), b.const(None)), body)


def _no_entry(node, scope: Scope) -> str:
    """Why a JIT-able function is not traced from its start ("" if it is)."""
    a = node.args
    if a.vararg or a.kwarg or a.kwonlyargs or a.posonlyargs:
        return "*args, **kwargs or keyword-only parameters: NYI"
    if scope.frees:
        return "closure: NYI"
    if scope.cells:
        return "variables captured by inner functions: NYI"
    for stmt in node.body:
        bad = unsupported(stmt)
        if bad is not None:
            return str(bad)
    return ""


def entry_placeholder(k: int) -> str:
    return f"\x00{PREFIX}entry{k}"


def bind_entries(code: types.CodeType, entries: list) -> types.CodeType:
    """Put each function entry object in the code objects, where its placeholder string
    is (a constant costs less per call than a lookup)."""
    if not entries:
        return code
    table = {entry_placeholder(e.id): e for e in entries}

    def fix(c: types.CodeType) -> types.CodeType:
        consts = tuple(fix(k) if isinstance(k, types.CodeType)
                       else table.get(k, k) if type(k) is str else k for k in c.co_consts)
        return c.replace(co_consts=consts)
    return fix(code)


def instrument(tree: ast.Module, source: str, filename: str, params: Params,
               engine: driver.Engine | None = None) -> Instrumented:
    """Rewrite `tree` (parsed from `source`) in place and register its units and loops."""
    engine = engine or driver.engine
    cell = driver.CellSource(source, filename, analyse(source, filename))
    out = Instrumented(tree)
    _Rewriter(cell, params, out, engine).rewrite_module(tree)
    return out
