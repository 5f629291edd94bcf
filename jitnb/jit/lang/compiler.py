"""Compiler from the JIT-able ``ast`` subset to jitnb bytecode (one CodeUnit per scope).

    module / FunctionDef ──► CodeUnit: instrs [(op, arg, line)], slot names, loop table

Statements outside the subset (see ``subset.py``) compile to ``UNSUPPORTED`` so
that a scope is always complete; such code is never run by jitnb's interpreter
because the loops and functions containing it are not handed to jitnb.
Loop layout (the interpreter enters at ``body_pc`` from CPython, with the
iterator on the stack for ``for`` loops)::

    for:   <iter> GET_ITER  header: LOOP_HEADER k; FOR_ITER exit; <target>  body: ... JUMP header  exit:
    while:                  header: LOOP_HEADER k; <test>; POP_JUMP_IF_FALSE exit  body: ... JUMP header  exit:
"""
from __future__ import annotations

import ast
import struct
from dataclasses import dataclass, field
from typing import Any

from . import opcodes as O
from .scopes import Scope, mangle
from .subset import Reject, check_loop, unsupported


@dataclass
class Instr:
    op: int
    arg: Any
    line: int

    def __repr__(self) -> str:
        return f"{O.OPS[self.op].name}({O.describe_arg(self.op, self.arg)})@{self.line}"


@dataclass
class LoopInfo:
    index: int
    kind: str                 # "for" | "while"
    line: int
    col: int = 0
    header_pc: int = -1
    body_pc: int = -1
    exit_pc: int = -1
    reject: Reject | None = None
    assigned: list[str] = field(default_factory=list)  # fast locals the loop may rebind
    carried: dict = field(default_factory=dict)  # trace hint: loc -> shape of an instance made
                                                 # by each iteration for the next (objects.py)
    # trace hint: (location, attribute) of entry objects a bridge needed and the loop's
    # trace did not hold; the loop is traced again holding them from its start
    attr_hints: set = field(default_factory=set)
    # a `while` test made only of these names, constants, comparisons, arithmetic and
    # and/or/not: with numbers in the names, evaluating it again changes nothing (None: not so)
    test_names: tuple | None = None

    @property
    def jitable(self) -> bool:
        return self.reject is None


@dataclass
class CodeUnit:
    name: str
    qualname: str
    filename: str
    firstlineno: int
    is_module: bool
    instrs: list[Instr] = field(default_factory=list)
    localnames: list[str] = field(default_factory=list)
    params: list[str] = field(default_factory=list)
    freenames: list[str] = field(default_factory=list)
    loops: list[LoopInfo] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)  # statements outside the subset
    defaults: int = 0         # number of parameters with defaults (for inlining)

    @property
    def complete(self) -> bool:
        """True when every statement is in the subset (the unit can be run whole)."""
        return not self.rejects

    def slot(self, name: str) -> int:
        return self.localnames.index(name)


class _Label:
    __slots__ = ("pc", "refs")

    def __init__(self) -> None:
        self.pc = -1
        self.refs: list[int] = []


class _LoopCtx:
    def __init__(self, info: LoopInfo, exit: _Label, header: _Label):
        self.info, self.exit, self.header = info, exit, header


class Compiler:
    """Compiles one scope; nested function bodies are compiled as their own units."""

    def __init__(self, scope: Scope, filename: str, name: str, qualname: str, firstlineno: int,
                 is_module: bool, node_map: dict[int, LoopInfo] | None = None):
        self.scope = scope
        self.node_map = node_map if node_map is not None else {}
        self.constants: dict[Any, Any] = {}
        self.unit = CodeUnit(name, qualname, filename, firstlineno, is_module)
        self.loops: list[_LoopCtx] = []
        self.line = firstlineno
        if not is_module:
            names = list(scope.params) + sorted(scope.locals - set(scope.params))
            self.unit.localnames = names
            self.unit.params = list(scope.params)
            self.unit.freenames = sorted(scope.frees)

    # -- emission -----------------------------------------------------------------
    def emit(self, op: int, arg: Any = None) -> int:
        self.unit.instrs.append(Instr(op, arg, self.line))
        return len(self.unit.instrs) - 1

    def jump(self, op: int, label: _Label) -> None:
        pc = self.emit(op, label.pc)
        if label.pc < 0:
            label.refs.append(pc)

    def place(self, label: _Label) -> None:
        label.pc = len(self.unit.instrs)
        for ref in label.refs:
            self.unit.instrs[ref].arg = label.pc

    def const(self, value: Any) -> None:
        # equal constants of one code unit are one object, as in CPython's code objects
        value = self.constants.setdefault(_const_key(value), value)
        self.emit(O.LOAD_CONST, value)

    def mangled(self, name: str) -> str:
        return mangle(name, self.scope.class_name)

    # -- statements ---------------------------------------------------------------
    def body(self, stmts: list[ast.stmt]) -> None:
        for s in stmts:
            self.stmt(s)

    def stmt(self, node: ast.stmt) -> None:
        self.line = node.lineno
        if isinstance(node, (ast.For, ast.While)):
            self.stmt_For(node) if isinstance(node, ast.For) else self.stmt_While(node)
            return
        own = node.test if isinstance(node, ast.If) else node
        bad = unsupported(own)
        if bad:
            self.unit.rejects.append(bad)
            self.emit(O.UNSUPPORTED, str(bad))
            self.detached(node)
            return
        getattr(self, "stmt_" + type(node).__name__)(node)

    def detached(self, node: ast.stmt) -> None:
        """Compile the statement lists nested in unsupported code out of line, so the
        JIT-able loops inside them (e.g. in a ``try`` body) still get their code."""
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            return
        lists = [getattr(node, n) for n in ("body", "orelse", "finalbody")
                 if isinstance(getattr(node, n, None), list)]
        lists += [h.body for h in getattr(node, "handlers", [])]
        lists += [c.body for c in getattr(node, "cases", [])]
        if not any(lists):
            return
        skip = _Label()
        self.jump(O.JUMP, skip)
        for stmts in lists:
            if stmts and isinstance(stmts[0], ast.stmt):
                self.body(stmts)
        self.place(skip)

    def stmt_Expr(self, node: ast.Expr) -> None:
        self.expr(node.value)
        self.emit(O.POP_TOP)

    def stmt_Pass(self, node: ast.Pass) -> None:
        self.emit(O.NOP)

    def stmt_Global(self, node: ast.Global) -> None:
        pass

    stmt_Nonlocal = stmt_Global

    def stmt_Assign(self, node: ast.Assign) -> None:
        self.expr(node.value)
        for i, target in enumerate(node.targets):
            if i < len(node.targets) - 1:
                self.emit(O.DUP_TOP)
            self.store(target)

    def stmt_AugAssign(self, node: ast.AugAssign) -> None:
        op = O.BINOP_INDEX[type(node.op).__name__]
        t = node.target
        if isinstance(t, ast.Name):
            self.load_name(t.id)
            self.expr(node.value)
            self.emit(O.INPLACE_OP, op)
            self.store(t)
        elif isinstance(t, ast.Attribute):
            self.expr(t.value)
            self.emit(O.DUP_TOP)
            self.emit(O.LOAD_ATTR, self.mangled(t.attr))
            self.expr(node.value)
            self.emit(O.INPLACE_OP, op)
            self.emit(O.ROT_TWO)
            self.emit(O.STORE_ATTR, self.mangled(t.attr))
        else:
            assert isinstance(t, ast.Subscript)
            self.expr(t.value)
            self.expr(t.slice)
            self.emit(O.DUP_TOP_TWO)
            self.emit(O.BINARY_SUBSCR)
            self.expr(node.value)
            self.emit(O.INPLACE_OP, op)
            self.emit(O.ROT_THREE)
            self.emit(O.STORE_SUBSCR)

    def stmt_If(self, node: ast.If) -> None:
        orelse, end = _Label(), _Label()
        self.expr(node.test)
        self.jump(O.POP_JUMP_IF_FALSE, orelse)
        self.body(node.body)
        if node.orelse:
            self.jump(O.JUMP, end)
        self.place(orelse)
        self.body(node.orelse)
        self.place(end)

    def _loop_info(self, node: ast.For | ast.While, kind: str) -> LoopInfo:
        info = LoopInfo(len(self.unit.loops), kind, node.lineno, node.col_offset,
                        reject=check_loop(node, self.scope))
        if not self.unit.is_module:
            info.assigned = assigned_locals(node, self.scope)
        self.unit.loops.append(info)
        self.node_map[id(node)] = info
        return info

    def stmt_For(self, node: ast.For) -> None:
        info = self._loop_info(node, "for")
        header, exit, end = _Label(), _Label(), _Label()
        bad = unsupported(node.iter)
        if bad:
            self.unit.rejects.append(bad)
            self.emit(O.UNSUPPORTED, str(bad))
            self.const(())
        else:
            self.expr(node.iter)
        self.line = node.lineno
        self.emit(O.GET_ITER)
        self.place(header)
        info.header_pc = header.pc
        self.emit(O.LOOP_HEADER, info.index)
        self.jump(O.FOR_ITER, exit)
        self.store_target(node.target, node.lineno)
        info.body_pc = len(self.unit.instrs)
        self.loops.append(_LoopCtx(info, end, header))
        self.body(node.body)
        self.loops.pop()
        self.line = node.lineno
        self.jump(O.JUMP, header)
        self.place(exit)
        info.exit_pc = exit.pc
        self.body(node.orelse)
        self.place(end)
        if not node.orelse:
            info.exit_pc = end.pc

    def stmt_While(self, node: ast.While) -> None:
        info = self._loop_info(node, "while")
        header, exit, end = _Label(), _Label(), _Label()
        self.place(header)
        info.header_pc = header.pc
        self.emit(O.LOOP_HEADER, info.index)
        if unsupported(node.test):
            self.emit(O.UNSUPPORTED, str(unsupported(node.test)))
            self.const(False)
        else:
            self.expr(node.test)
            info.test_names = _plain_test_names(node.test)
        self.jump(O.POP_JUMP_IF_FALSE, exit)
        info.body_pc = len(self.unit.instrs)
        self.loops.append(_LoopCtx(info, end, header))
        self.body(node.body)
        self.loops.pop()
        self.line = node.lineno
        self.jump(O.JUMP, header)
        self.place(exit)
        self.body(node.orelse)
        self.place(end)
        info.exit_pc = end.pc

    def store_target(self, target: ast.expr, line: int) -> None:
        bad = unsupported(target)
        if bad:
            self.unit.rejects.append(bad)
            self.emit(O.UNSUPPORTED, str(bad))
            self.emit(O.POP_TOP)
        else:
            self.store(target)

    def stmt_Break(self, node: ast.Break) -> None:
        ctx = self.loops[-1]
        if ctx.info.kind == "for":
            self.emit(O.POP_TOP)  # the iterator
        self.jump(O.JUMP, ctx.exit)

    def stmt_Continue(self, node: ast.Continue) -> None:
        self.jump(O.JUMP, self.loops[-1].header)

    def stmt_Return(self, node: ast.Return) -> None:
        if node.value is None:
            self.const(None)
        else:
            self.expr(node.value)
        self.emit(O.RETURN_VALUE)

    def stmt_Raise(self, node: ast.Raise) -> None:
        if node.exc is None:
            self.emit(O.RAISE, 0)
        else:
            self.expr(node.exc)
            self.emit(O.RAISE, 1)

    def stmt_Assert(self, node: ast.Assert) -> None:
        ok = _Label()
        self.expr(node.test)
        self.jump(O.POP_JUMP_IF_TRUE, ok)
        self.const(AssertionError)
        if node.msg is not None:
            self.expr(node.msg)
            self.emit(O.CALL, (1, ()))
        self.emit(O.RAISE, 1)
        self.place(ok)

    # -- stores -------------------------------------------------------------------
    def store(self, target: ast.expr) -> None:
        if isinstance(target, ast.Name):
            self.store_name(target.id)
        elif isinstance(target, ast.Attribute):
            self.expr(target.value)
            self.emit(O.STORE_ATTR, self.mangled(target.attr))
        elif isinstance(target, ast.Subscript):
            self.expr(target.value)
            self.expr(target.slice)
            self.emit(O.STORE_SUBSCR)
        elif isinstance(target, (ast.Tuple, ast.List)):
            self.emit(O.UNPACK_SEQUENCE, len(target.elts))
            for elt in target.elts:
                self.store(elt)
        else:  # pragma: no cover - the subset check rejects everything else
            raise AssertionError(f"cannot store to {type(target).__name__}")

    def store_name(self, name: str) -> None:
        self.name_op(name, store=True)

    def load_name(self, name: str) -> None:
        self.name_op(name, store=False)

    def name_op(self, name: str, store: bool) -> None:
        name = self.mangled(name)
        kind = self.scope.kind_of(name) if not self.unit.is_module else "global"
        if kind == "fast":
            self.emit(O.STORE_FAST if store else O.LOAD_FAST, self.unit.slot(name))
        elif kind == "global":
            self.emit(O.STORE_GLOBAL if store else O.LOAD_GLOBAL, name)
        elif store:  # the subset check keeps loops that do this away from jitnb
            self.emit(O.UNSUPPORTED, f"store to free variable {name!r}")
            self.emit(O.POP_TOP)
        else:
            self.emit(O.LOAD_DEREF, name)

    # -- expressions --------------------------------------------------------------
    def expr(self, node: ast.expr) -> None:
        """Compile an expression; its instructions carry its line, and the caller's line is
        restored afterwards (an operand continuing on the next line does not move it)."""
        saved = self.line
        line = getattr(node, "lineno", None)
        if line is not None:
            self.line = line
        getattr(self, "expr_" + type(node).__name__)(node)
        self.line = saved

    def expr_Constant(self, node: ast.Constant) -> None:
        self.const(node.value)

    def expr_Name(self, node: ast.Name) -> None:
        self.load_name(node.id)

    def expr_NamedExpr(self, node: ast.NamedExpr) -> None:
        self.expr(node.value)
        self.emit(O.DUP_TOP)
        self.store_name(node.target.id)  # type: ignore[union-attr]

    def expr_BinOp(self, node: ast.BinOp) -> None:
        self.expr(node.left)
        self.expr(node.right)
        self.line = node.lineno
        self.emit(O.BINARY_OP, O.BINOP_INDEX[type(node.op).__name__])

    def expr_UnaryOp(self, node: ast.UnaryOp) -> None:
        self.expr(node.operand)
        self.line = node.lineno
        self.emit(O.UNARY_OP, O.UNOP_INDEX[type(node.op).__name__])

    def expr_BoolOp(self, node: ast.BoolOp) -> None:
        end = _Label()
        op = O.JUMP_IF_FALSE_OR_POP if isinstance(node.op, ast.And) else O.JUMP_IF_TRUE_OR_POP
        for i, value in enumerate(node.values):
            self.expr(value)
            if i < len(node.values) - 1:
                self.jump(op, end)
        self.place(end)

    def expr_Compare(self, node: ast.Compare) -> None:
        self.expr(node.left)
        if len(node.ops) == 1:
            self.expr(node.comparators[0])
            self.line = node.lineno
            self.emit(O.COMPARE_OP, O.CMP_INDEX[type(node.ops[0]).__name__])
            return
        cleanup, end = _Label(), _Label()
        for i, (op, right) in enumerate(zip(node.ops, node.comparators)):
            self.expr(right)
            self.line = node.lineno
            if i < len(node.ops) - 1:
                self.emit(O.DUP_TOP)
                self.emit(O.ROT_THREE)
                self.emit(O.COMPARE_OP, O.CMP_INDEX[type(op).__name__])
                self.jump(O.JUMP_IF_FALSE_OR_POP, cleanup)
            else:
                self.emit(O.COMPARE_OP, O.CMP_INDEX[type(op).__name__])
                self.jump(O.JUMP, end)
        self.place(cleanup)
        self.emit(O.ROT_TWO)
        self.emit(O.POP_TOP)
        self.place(end)

    def expr_IfExp(self, node: ast.IfExp) -> None:
        orelse, end = _Label(), _Label()
        self.expr(node.test)
        self.jump(O.POP_JUMP_IF_FALSE, orelse)
        self.expr(node.body)
        self.jump(O.JUMP, end)
        self.place(orelse)
        self.expr(node.orelse)
        self.place(end)

    def expr_Call(self, node: ast.Call) -> None:
        self.expr(node.func)
        for a in node.args:
            self.expr(a)
        for k in node.keywords:
            self.expr(k.value)
        self.line = _attr_line(node.func) if isinstance(node.func, ast.Attribute) else node.lineno
        self.emit(O.CALL, (len(node.args) + len(node.keywords), tuple(k.arg for k in node.keywords)))

    def expr_Attribute(self, node: ast.Attribute) -> None:
        self.expr(node.value)
        self.line = _attr_line(node)
        self.emit(O.LOAD_ATTR, self.mangled(node.attr))

    def expr_Subscript(self, node: ast.Subscript) -> None:
        self.expr(node.value)
        self.expr(node.slice)
        self.line = node.lineno
        self.emit(O.BINARY_SUBSCR)

    def expr_Slice(self, node: ast.Slice) -> None:
        parts = [node.lower, node.upper] + ([node.step] if node.step is not None else [])
        for p in parts:
            if p is None:
                self.const(None)
            else:
                self.expr(p)
        self.emit(O.BUILD_SLICE, len(parts))

    def build(self, op: int, items: list[ast.expr]) -> None:
        for e in items:
            self.expr(e)
        self.emit(op, len(items))

    def expr_Tuple(self, node: ast.Tuple) -> None:
        self.build(O.BUILD_TUPLE, node.elts)

    def expr_List(self, node: ast.List) -> None:
        self.build(O.BUILD_LIST, node.elts)

    def expr_Dict(self, node: ast.Dict) -> None:
        for k, v in zip(node.keys, node.values):
            self.expr(k)  # type: ignore[arg-type]
            self.expr(v)
        self.emit(O.BUILD_MAP, len(node.keys))

    def expr_JoinedStr(self, node: ast.JoinedStr) -> None:
        self.build(O.BUILD_STRING, node.values)

    def expr_FormattedValue(self, node: ast.FormattedValue) -> None:
        self.expr(node.value)
        if node.format_spec is not None:
            self.expr(node.format_spec)
        self.emit(O.FORMAT_VALUE, (node.conversion, node.format_spec is not None))


def _attr_line(node: ast.Attribute) -> int:
    """CPython reports an attribute (and a method call) split over lines at the name's line."""
    return node.end_lineno if node.end_lineno is not None else node.lineno


def _const_key(v: Any) -> Any:
    if type(v) is float:
        return (float, struct.pack("<d", v))
    if type(v) is complex:
        return (complex, struct.pack("<dd", v.real, v.imag))
    if type(v) in (tuple, frozenset):
        return (type(v), tuple(_const_key(x) for x in v))
    return (type(v), v)


def assigned_locals(node: ast.For | ast.While, scope: Scope) -> list[str]:
    """The fast locals a loop may rebind (its target and body), in a fixed order."""
    parts = ([node.target] if isinstance(node, ast.For) else []) + list(node.body)
    stored = {mangle(n.id, scope.class_name) for part in parts for n in ast.walk(part)
              if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    return sorted(n for n in stored if scope.kind_of(n) == "fast")


def compile_module(tree: ast.Module, scope: Scope, filename: str,
                   node_map: dict[int, LoopInfo] | None = None) -> CodeUnit:
    c = Compiler(scope, filename, "<module>", "<module>", 1, is_module=True, node_map=node_map)
    c.body(tree.body)
    c.const(None)
    c.emit(O.RETURN_VALUE)
    return c.unit


def compile_function(node: ast.FunctionDef, scope: Scope, filename: str, qualname: str,
                     node_map: dict[int, LoopInfo] | None = None) -> CodeUnit:
    c = Compiler(scope, filename, node.name, qualname, node.lineno, is_module=False,
                 node_map=node_map)
    c.unit.defaults = len(node.args.defaults)
    a = node.args
    if a.vararg or a.kwarg or a.kwonlyargs or a.posonlyargs:
        c.unit.rejects.append(Reject("*args/**kwargs/keyword-only parameters", node.lineno))
    c.body(node.body)
    c.line = node.body[-1].lineno if node.body else node.lineno
    c.const(None)
    c.emit(O.RETURN_VALUE)
    return c.unit


_PLAIN_TEST = (ast.Name, ast.Constant, ast.Compare, ast.BoolOp, ast.UnaryOp, ast.BinOp,
               ast.Load, ast.cmpop, ast.boolop, ast.unaryop, ast.operator)


def _plain_test_names(test: ast.expr) -> tuple | None:
    """The names a `while` test reads, if it is built only of names, number constants and
    operators (so that, on numbers, it has no effect and gives the same answer again)."""
    names = []
    for n in ast.walk(test):
        if not isinstance(n, _PLAIN_TEST):
            return None
        if isinstance(n, ast.Constant) and type(n.value) not in (int, float, bool):
            return None
        if isinstance(n, ast.Name) and n.id not in names:
            names.append(n.id)
    return tuple(names)
