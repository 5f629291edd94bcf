"""The JIT-able subset: which functions and loops jitnb may run, and why not.

Everything outside the subset runs as plain CPython; the reason is kept, with
its source line, in LuaJIT ``-jv`` style ("try statement at line 7: NYI").
This module is the single authority on the subset: the compiler emits
``UNSUPPORTED`` for any statement this checker rejects.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass

from .scopes import Scope

STMTS = (ast.Expr, ast.Assign, ast.AugAssign, ast.If, ast.While, ast.For, ast.Break,
         ast.Continue, ast.Return, ast.Pass, ast.Raise, ast.Assert, ast.Global, ast.Nonlocal)
EXPRS = (ast.Constant, ast.Name, ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare, ast.Call,
         ast.Attribute, ast.Subscript, ast.Slice, ast.Tuple, ast.List, ast.Dict, ast.IfExp,
         ast.JoinedStr, ast.FormattedValue, ast.NamedExpr)
# helper nodes that appear inside supported ones
AUX = (ast.expr_context, ast.operator, ast.unaryop, ast.boolop, ast.cmpop, ast.keyword)

# names whose builtins inspect or depend on the calling frame
FRAME_BUILTINS = frozenset({"locals", "globals", "vars", "dir", "eval", "exec", "super",
                            "breakpoint", "__import__", "__class__"})

_NAMES = {
    ast.Try: "try statement", ast.With: "with statement", ast.AsyncWith: "async with",
    ast.FunctionDef: "nested def", ast.AsyncFunctionDef: "nested async def",
    ast.ClassDef: "class definition", ast.Lambda: "lambda", ast.ListComp: "list comprehension",
    ast.SetComp: "set comprehension", ast.DictComp: "dict comprehension",
    ast.GeneratorExp: "generator expression", ast.Yield: "yield", ast.YieldFrom: "yield from",
    ast.Await: "await", ast.Starred: "starred expression", ast.Delete: "del statement",
    ast.Import: "import statement", ast.ImportFrom: "import statement", ast.AnnAssign:
    "annotated assignment", ast.Set: "set display", ast.AsyncFor: "async for",
    ast.Match: "match statement",
}
if hasattr(ast, "TryStar"):
    _NAMES[ast.TryStar] = "try statement"


@dataclass(frozen=True)
class Reject:
    """Why a piece of code is outside the subset."""

    what: str
    line: int
    detail: str = "NYI"

    def __str__(self) -> str:
        return f"{self.what} at line {self.line}: {self.detail}"


def unsupported(node: ast.AST) -> Reject | None:
    """First construct in `node` (a statement or expression) outside the subset."""
    default = getattr(node, "lineno", 0)
    for sub in ast.walk(node):
        bad = _bad_node(sub, default)
        if bad:
            return bad
    return None


def _bad_node(sub: ast.AST, default_line: int) -> Reject | None:
    """Whether this one node (not its children) is outside the subset."""
    if isinstance(sub, AUX):
        return None
    line = getattr(sub, "lineno", default_line)
    if not isinstance(sub, STMTS + EXPRS):
        return Reject(_NAMES.get(type(sub), type(sub).__name__), line)
    if isinstance(sub, ast.Call) and any(k.arg is None for k in sub.keywords):
        return Reject("**kwargs call", line)
    if isinstance(sub, ast.Dict) and any(k is None for k in sub.keys):
        return Reject("dict unpacking", line)
    if isinstance(sub, ast.Raise) and sub.cause is not None:
        return Reject("raise ... from", line)
    if isinstance(sub, ast.Name) and sub.id in FRAME_BUILTINS:
        return Reject(f"{sub.id}()", line, "inspects the calling frame")
    if isinstance(sub, ast.NamedExpr) and not isinstance(sub.target, ast.Name):
        return Reject("assignment expression", line)
    return None


def check_function(node: ast.FunctionDef | ast.AsyncFunctionDef, scope: Scope | None) -> Reject | None:
    """Whether the loops of a function may run under jitnb at all."""
    if isinstance(node, ast.AsyncFunctionDef):
        return Reject("async function", node.lineno, "not JIT-able")
    if scope is None:
        return Reject("function", node.lineno, "scope could not be resolved")
    for sub in _own_nodes(node):
        if isinstance(sub, (ast.Yield, ast.YieldFrom)):
            return Reject("generator function", node.lineno, "not JIT-able")
        if isinstance(sub, ast.Await):
            return Reject("await", sub.lineno, "not JIT-able")
    return None


def check_loop(node: ast.For | ast.While, scope: Scope | None,
               nodes: list[ast.AST] | None = None) -> Reject | None:
    """Whether one loop may be handed to jitnb when it gets hot.

    `nodes` may pass ``list(ast.walk(node))`` when the caller has it already."""
    if node.orelse:
        kw = "for" if isinstance(node, ast.For) else "while"
        return Reject(f"{kw}-else", node.lineno)
    if nodes is None:
        nodes = list(ast.walk(node))
    function = scope is not None and scope.kind == "function"
    for sub in nodes[1:]:
        bad = _bad_node(sub, node.lineno)
        if bad:
            return bad
        if function and isinstance(sub, ast.Name):
            if isinstance(sub.ctx, ast.Store):
                if sub.id in scope.frees:
                    return Reject(f"assignment to nonlocal {sub.id!r}", sub.lineno)
                if sub.id in scope.cells:
                    return Reject(f"assignment to {sub.id!r}, captured by a closure,", sub.lineno)
            if sub.id in scope.nonlocal_writes:
                return Reject(f"variable {sub.id!r}, rebound by an inner function,", sub.lineno)
            if sub.id in scope.frees and scope.rebound_elsewhere(sub.id):
                return Reject(f"free variable {sub.id!r}, rebound by another function,", sub.lineno)
    return None


def _own_nodes(fn: ast.AST):
    """Nodes of a function body, not descending into nested scopes."""
    stack = list(ast.iter_child_nodes(fn))
    while stack:
        n = stack.pop()
        yield n
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef,
                          ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            continue
        stack.extend(ast.iter_child_nodes(n))
