"""Name resolution for a cell: which names are fast locals, globals, free or cell variables.

Built on the standard ``symtable`` module so that jitnb resolves every name
exactly as CPython's compiler does.  Scopes are matched to ``ast`` nodes by
(kind, name, line).
"""
from __future__ import annotations

import ast
import symtable
from dataclasses import dataclass, field


@dataclass
class Scope:
    """The resolved names of one module or function body."""

    kind: str                      # "module" | "function" | "class" | "other"
    name: str
    lineno: int
    locals: set[str] = field(default_factory=set)      # fast locals (including cell variables)
    cells: set[str] = field(default_factory=set)       # locals captured by an inner scope
    frees: set[str] = field(default_factory=set)       # read from an enclosing function
    nonlocal_writes: set[str] = field(default_factory=set)  # names inner scopes rebind with `nonlocal`
    globals: set[str] = field(default_factory=set)
    nonlocals: set[str] = field(default_factory=set)   # declared `nonlocal` here
    params: list[str] = field(default_factory=list)
    class_name: str | None = None  # enclosing class, for private-name mangling
    children: list["Scope"] = field(default_factory=list)
    parent: "Scope | None" = None

    def rebound_elsewhere(self, name: str) -> bool:
        """Whether a free variable `name` may be rebound (``nonlocal``) by another function
        sharing it: its owner scope records such writes."""
        s = self.parent
        while s is not None:
            if s.kind == "function" and name in s.locals:
                return name in s.nonlocal_writes
            s = s.parent
        return False

    def kind_of(self, name: str) -> str:
        """'fast', 'global' or 'free' (module scope: always 'global')."""
        if self.kind != "function":
            return "global"
        if name in self.frees:
            return "free"
        if name in self.locals:
            return "fast"
        return "global"


def _convert(table: symtable.SymbolTable, class_name: str | None) -> Scope:
    ttype = table.get_type()
    kind = {"module": "module", "function": "function", "class": "class"}.get(
        ttype if isinstance(ttype, str) else ttype.value, "other")
    scope = Scope(kind, table.get_name(), table.get_lineno(), class_name=class_name)
    inner_class = table.get_name() if kind == "class" else class_name
    for child in table.get_children():
        c = _convert(child, inner_class)
        c.parent = scope
        scope.children.append(c)
    if kind == "function":
        fn: symtable.Function = table  # type: ignore[assignment]
        scope.params = list(fn.get_parameters())
        for sym in table.get_symbols():
            n = sym.get_name()
            if sym.is_nonlocal():
                scope.nonlocals.add(n)
            if sym.is_free():
                scope.frees.add(n)
            elif sym.is_local():
                scope.locals.add(n)
            elif sym.is_global() or sym.is_declared_global():
                scope.globals.add(n)
    for child in scope.children:
        _collect_captures(scope, child)
    return scope


def _collect_captures(owner: Scope, inner: Scope) -> None:
    """Mark owner's locals that `inner` (or its descendants) read or rebind."""
    for n in inner.frees:
        if n in owner.locals:
            owner.cells.add(n)
    for n in inner.nonlocals:
        if n in owner.locals or n in owner.frees:
            owner.nonlocal_writes.add(n)
    for child in inner.children:
        _collect_captures(owner, child)


def analyse(source: str, filename: str = "<jitnb>") -> "ScopeMap":
    """Resolve every scope of a cell's source."""
    return ScopeMap(_convert(symtable.symtable(source, filename, "exec"), None))


class ScopeMap:
    """Finds the Scope of a FunctionDef node."""

    def __init__(self, root: Scope):
        self.root = root
        self._by_key: dict[tuple[str, str, int], list[Scope]] = {}
        stack = [root]
        while stack:
            s = stack.pop()
            self._by_key.setdefault((s.kind, s.name, s.lineno), []).append(s)
            stack.extend(s.children)

    def for_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> Scope | None:
        lines = [node.lineno] + [d.lineno for d in node.decorator_list]
        for line in lines:
            found = self._by_key.get(("function", node.name, line))
            if found:
                return found[0] if len(found) == 1 else None
        return None


def mangle(name: str, class_name: str | None) -> str:
    """CPython's private-name mangling inside a class body."""
    if class_name is None or not name.startswith("__") or name.endswith("__") or "." in name:
        return name
    stripped = class_name.lstrip("_")
    if not stripped:
        return name
    return f"_{stripped}{name}"
