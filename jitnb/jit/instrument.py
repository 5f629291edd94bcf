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
            continue | return _jitnb_r.value | break
        <body>
    _jitnb.L[k].budget = _jitnb_ck

Cold code pays one decrement and one compare per iteration.  Code outside the
subset is left untouched and its reason is reported as a ``not-jitable`` event.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, field

from .. import events as ev
from ..params import Params
from . import driver
from .lang.compiler import CodeUnit, LoopInfo, compile_function, compile_module
from .lang.scopes import Scope, ScopeMap, analyse
from .lang.subset import check_function

PREFIX = "_jitnb_"


@dataclass
class Instrumented:
    tree: ast.Module
    units: list[driver.Unit] = field(default_factory=list)
    loops: list[driver.Loop] = field(default_factory=list)
    rejects: list[tuple[str, int, str]] = field(default_factory=list)  # (scope, line, reason)


def _stmts(src: str, **names: str) -> list[ast.stmt]:
    return ast.parse(src.format(**names)).body


def _relocate(nodes: list[ast.stmt], like: ast.AST) -> list[ast.stmt]:
    for n in nodes:
        for sub in ast.walk(n):
            if "lineno" in sub._attributes:
                ast.copy_location(sub, like)
    return nodes


class _Rewriter(ast.NodeTransformer):
    def __init__(self, smap: ScopeMap, filename: str, params: Params, out: Instrumented,
                 engine: driver.Engine):
        self.smap, self.filename, self.params, self.out, self.engine = smap, filename, params, out, engine
        self.unit: driver.Unit | None = None     # the scope being rewritten (None: not JIT-able)
        self.loop_infos: dict[int, LoopInfo] = {}
        self.in_function = False
        self.in_class = False
        self.qual: list[str] = []

    # -- scopes ---------------------------------------------------------------------
    def rewrite_module(self, tree: ast.Module) -> None:
        code = compile_module(tree, self.smap.root, self.filename, self.loop_infos)
        self.unit = self._register(code, "<module>")
        tree.body = self._body(tree.body)

    def _register(self, code: CodeUnit, scope: str) -> driver.Unit:
        unit = driver.Unit(code, self.params, scope)
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
        saved = (self.unit, self.in_function, self.in_class)
        self.qual.append(node.name)
        qualname = ".".join(self.qual)
        scope = self.smap.for_function(node)
        bad = check_function(node, scope)
        if bad:
            self._reject(f"function {qualname}", node.lineno, str(bad))
            self.unit = None
        else:
            code = compile_function(node, scope, self.filename, qualname, self.loop_infos)
            self.unit = self._register(code, f"function {qualname}")
        self.in_function, self.in_class = True, False
        self.qual.append("<locals>")
        node.body = self._body(node.body)
        self.qual.pop()
        self.qual.pop()
        self.unit, self.in_function, self.in_class = saved
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
        for name in ("body", "orelse", "finalbody"):
            if isinstance(getattr(node, name, None), list) and all(
                    isinstance(s, ast.stmt) for s in getattr(node, name)):
                setattr(node, name, self._body(getattr(node, name)))
        if isinstance(node, ast.Try):
            for h in node.handlers:
                h.body = self._body(h.body)
        if isinstance(node, ast.Match):
            for c in node.cases:
                c.body = self._body(c.body)
        return node

    def visit_For(self, node: ast.For) -> ast.AST | list[ast.stmt]:
        return self._loop(node)

    def visit_While(self, node: ast.While) -> ast.AST | list[ast.stmt]:
        return self._loop(node)

    def _loop(self, node: ast.For | ast.While) -> ast.AST | list[ast.stmt]:
        info = self.loop_infos.get(id(node)) if self.unit is not None else None
        node.body = self._body(node.body)
        node.orelse = self._body(node.orelse)
        scope = self.unit.scope if self.unit else ".".join(self.qual) or "<module>"
        if info is None:
            if self.in_class:
                self._reject(f"class {'.'.join(self.qual)}", node.lineno,
                             f"loop in class body at line {node.lineno}: NYI")
            return node
        if not info.jitable:
            self._reject(scope, node.lineno, str(info.reject))
            return node
        loop = self.engine.new_loop(self.unit, info)
        self.out.loops.append(loop)
        return self._instrument(node, loop)

    def _instrument(self, node: ast.For | ast.While, loop: driver.Loop) -> list[ast.stmt]:
        k = loop.id
        c, it, r, v = f"{PREFIX}c{k}", f"{PREFIX}i{k}", f"{PREFIX}r", f"{PREFIX}v"
        rt = f"{driver.RUNTIME_NAME}.L[{k}]"
        is_for = isinstance(node, ast.For)
        before = _stmts(f"{c} = {rt}.budget")
        if is_for:
            before += _stmts(f"{it} = {driver.RUNTIME_NAME}.iter(0)")
            _relocate(before, node.iter)
            before[-1].value.args[0] = node.iter  # type: ignore[attr-defined]
            node.iter = ast.copy_location(ast.Name(it, ast.Load()), node.iter)
        hot = _stmts(f"{r} = {rt}.hot({driver.RUNTIME_NAME}.locals(), "
                     f"{driver.RUNTIME_NAME}.globals(), {it if is_for else 'None'})")
        if loop.info.assigned:
            hot += _stmts(f"{v} = {r}.vals")
            for i, name in enumerate(loop.info.assigned):
                hot += _stmts(f"if {v}[{i}] is not {driver.RUNTIME_NAME}.UNBOUND: {name} = {v}[{i}]")
        hot += _stmts(f"{c} = {r}.budget")
        _relocate(hot, node)
        hot.append(self._raise_dispatch(node, r))
        tail = _stmts(f"if {r}.kind == {driver.RESUME}: continue")
        if self.in_function:
            tail += _stmts(f"if {r}.kind == {driver.RETURN}: return {r}.value")
        tail += _stmts("break")
        hot += _relocate(tail, node)
        check = _relocate(_stmts(f"{c} -= 1\nif {c} <= 0: pass"), node)
        check[1].body = hot  # type: ignore[attr-defined]
        node.body = check + node.body
        after = _relocate(_stmts(f"{rt}.budget = {c}"), node)
        if not is_for:
            _relocate(before, node)
        return before + [node] + after

    def _raise_dispatch(self, loop: ast.For | ast.While, r: str) -> ast.stmt:
        """`raise` the handed-back exception from a statement located at its own line."""
        by_line: dict[int, ast.AST] = {}
        for sub in ast.walk(loop):
            line = getattr(sub, "lineno", None)
            if isinstance(sub, (ast.stmt, ast.expr)) and line is not None and line not in by_line:
                by_line[line] = sub
        outer = _relocate(_stmts(f"if {r}.exc is not None: pass"), loop)[0]
        body: list[ast.stmt] = []
        for line, like in sorted(by_line.items()):
            if line == loop.lineno:
                continue
            body += _relocate(_stmts(f"if {r}.line == {line}: raise {r}.exc"), like)
        body += _relocate(_stmts(f"raise {r}.exc"), loop)
        outer.body = body  # type: ignore[attr-defined]
        return outer


def instrument(tree: ast.Module, source: str, filename: str, params: Params,
               engine: driver.Engine | None = None) -> Instrumented:
    """Rewrite `tree` (parsed from `source`) in place and register its units and loops."""
    engine = engine or driver.engine
    smap = analyse(source, filename)
    out = Instrumented(tree)
    _Rewriter(smap, filename, params, out, engine).rewrite_module(tree)
    ast.fix_missing_locations(tree)
    return out
