"""jitnb's own interpreter: exact CPython semantics over real Python objects.

Used to finish a loop iteration handed over from CPython, to run a whole
jitnb function, and (in recording mode, see ``jit/trace``) to record traces.
Every opcode of ``lang/opcodes.py`` has an ``op_<NAME>`` method; each takes the
frame and the operand and may set ``frame.pc`` to jump.  Where CPython's exact
behaviour is subtle (unpacking, unbound names) the work is delegated to tiny
functions compiled by CPython itself, so messages match on every version.
"""
from __future__ import annotations

from typing import Any

from ..lang import opcodes as O
from ..lang.compiler import CodeUnit, LoopInfo
from .frame import UNBOUND, Frame

_END = object()


class InternalError(Exception):
    """Raised when jitnb's interpreter reaches code it must never run."""


# -- helpers compiled by CPython, for exact error behaviour -------------------------
_unpackers: dict[int, Any] = {}


def unpacker(n: int):
    fn = _unpackers.get(n)
    if fn is None:
        names = ", ".join(f"v{i}" for i in range(n)) + ("," if n == 1 else "")
        ns: dict = {}
        exec(f"def unpack(seq):\n    {names} = seq\n    return ({names})\n" if n else
             "def unpack(seq):\n    () = seq\n    return ()\n", ns)
        fn = _unpackers[n] = ns["unpack"]
    return fn


def raise_unbound_local(name: str) -> None:
    ns: dict = {}
    exec(f"def probe():\n    {name}\n    {name} = None\n", ns)
    ns["probe"]()
    raise AssertionError("unreachable")


def raise_name_error(name: str) -> None:
    eval(compile(name, "<jitnb>", "eval"), {"__builtins__": {}})
    raise AssertionError("unreachable")


def raise_unbound_free(name: str) -> None:
    ns: dict = {}
    exec(f"def outer():\n    def inner():\n        return {name}\n    return inner\n"
         f"    {name} = None\n", ns)
    ns["outer"]()()
    raise AssertionError("unreachable")


_callers: dict[tuple[str, str], Any] = {}


def caller_for(unit: CodeUnit):
    """The call of a callable, from a frame that carries the unit's name and file, so code inspecting its
    caller (``sys._getframe(1)``) sees the user's function, not jitnb's interpreter."""
    key = (unit.filename, unit.name)
    fn = _callers.get(key)
    if fn is None:
        ns: dict = {}
        code = compile("def trampoline(f, args, kwnames):\n"
                       "    if not kwnames:\n"
                       "        return f(*args)\n"
                       "    k = len(kwnames)\n"
                       "    return f(*args[:-k], **dict(zip(kwnames, args[-k:])))\n",
                       unit.filename, "exec")
        exec(code, ns)
        fn = ns["trampoline"]
        fn.__code__ = fn.__code__.replace(co_name=unit.name, co_qualname=unit.qualname,
                                          co_firstlineno=max(unit.firstlineno, 1))
        _callers[key] = fn
        TRAMPOLINES.add(fn.__code__)
    return fn


TRAMPOLINES: set = set()   # their frames are jitnb's, whatever file they name


def format_value(value: Any, conversion: int, spec: str = "") -> str:
    if conversion == 115:
        value = str(value)
    elif conversion == 114:
        value = repr(value)
    elif conversion == 97:
        value = ascii(value)
    if type(value) is str and not spec:
        return value
    return format(value, spec)


class Interpreter:
    """Runs jitnb bytecode.  One instance can run any number of frames."""

    def __init__(self) -> None:
        self.handlers = [getattr(self, "op_" + info.name) for info in O.OPS]

    # -- driving ----------------------------------------------------------------------
    def run(self, frame: Frame, loop: LoopInfo | None = None, on_header=None) -> tuple[str, Any]:
        """Run from ``frame.pc``.

        Returns ``("return", value)``; or, when ``loop`` is given, ``("header", None)``
        on reaching that loop's header and ``("exit", None)`` on leaving it.  At the
        header of any other loop, ``on_header(frame, index)`` may run that loop (e.g. as
        machine code) and return True, having moved the frame on.
        Exceptions propagate with ``frame.line`` set to the failing line.
        """
        instrs = frame.unit.instrs
        handlers = self.handlers
        header = loop.index if loop is not None else -1
        exit_pc = loop.exit_pc if loop is not None else -1
        while True:
            pc = frame.pc
            if pc == exit_pc:
                return "exit", None
            ins = instrs[pc]
            frame.line = ins.line
            op = ins.op
            if op == O.RETURN_VALUE:
                return "return", frame.stack.pop()
            if op == O.LOOP_HEADER:
                if ins.arg == header:
                    return "header", None
                if on_header is not None and on_header(frame, ins.arg):
                    continue
            frame.pc = pc + 1
            handlers[op](frame, ins.arg)

    def call_unit(self, unit: CodeUnit, globals_: dict, args: list, frees: dict) -> Any:
        """Run a whole (complete) function unit with already-bound positional arguments."""
        fast = list(args) + [UNBOUND] * (len(unit.localnames) - len(args))
        frame = Frame(unit, globals_, fast, frees)
        return self.run(frame)[1]

    # -- handlers (one per opcode, in table order) --------------------------------------
    def op_NOP(self, f: Frame, arg: Any) -> None:
        pass

    def op_LOAD_CONST(self, f: Frame, arg: Any) -> None:
        f.stack.append(arg)

    def op_LOAD_FAST(self, f: Frame, arg: int) -> None:
        v = f.fast[arg]
        if v is UNBOUND:
            raise_unbound_local(f.unit.localnames[arg])
        f.stack.append(v)

    def op_STORE_FAST(self, f: Frame, arg: int) -> None:
        f.fast[arg] = f.stack.pop()

    def op_LOAD_GLOBAL(self, f: Frame, name: str) -> None:
        try:
            v = f.globals[name]
        except KeyError:
            try:
                v = f.builtins[name]
            except KeyError:
                raise_name_error(name)
        f.stack.append(v)

    def op_STORE_GLOBAL(self, f: Frame, name: str) -> None:
        f.globals[name] = f.stack.pop()

    def op_LOAD_DEREF(self, f: Frame, name: str) -> None:
        v = f.frees.get(name, UNBOUND)
        if v is UNBOUND:
            raise_unbound_free(name)
        f.stack.append(v)

    def op_LOAD_ATTR(self, f: Frame, name: str) -> None:
        f.stack.append(getattr(f.stack.pop(), name))

    def op_STORE_ATTR(self, f: Frame, name: str) -> None:
        obj = f.stack.pop()
        setattr(obj, name, f.stack.pop())

    def op_BINARY_SUBSCR(self, f: Frame, arg: Any) -> None:
        key = f.stack.pop()
        obj = f.stack.pop()
        f.stack.append(obj[key])

    def op_STORE_SUBSCR(self, f: Frame, arg: Any) -> None:
        key = f.stack.pop()
        obj = f.stack.pop()
        obj[key] = f.stack.pop()

    def op_BINARY_OP(self, f: Frame, arg: int) -> None:
        b = f.stack.pop()
        f.stack[-1] = O.BINOPS[arg][2](f.stack[-1], b)

    def op_INPLACE_OP(self, f: Frame, arg: int) -> None:
        b = f.stack.pop()
        f.stack[-1] = O.BINOPS[arg][3](f.stack[-1], b)

    def op_UNARY_OP(self, f: Frame, arg: int) -> None:
        f.stack[-1] = O.UNOPS[arg][2](f.stack[-1])

    def op_COMPARE_OP(self, f: Frame, arg: int) -> None:
        b = f.stack.pop()
        f.stack[-1] = O.CMPOPS[arg][2](f.stack[-1], b)

    def op_JUMP(self, f: Frame, arg: int) -> None:
        f.pc = arg

    def op_POP_JUMP_IF_FALSE(self, f: Frame, arg: int) -> None:
        if not f.stack.pop():
            f.pc = arg

    def op_POP_JUMP_IF_TRUE(self, f: Frame, arg: int) -> None:
        if f.stack.pop():
            f.pc = arg

    def op_JUMP_IF_FALSE_OR_POP(self, f: Frame, arg: int) -> None:
        if not f.stack[-1]:
            f.pc = arg
        else:
            f.stack.pop()

    def op_JUMP_IF_TRUE_OR_POP(self, f: Frame, arg: int) -> None:
        if f.stack[-1]:
            f.pc = arg
        else:
            f.stack.pop()

    def op_GET_ITER(self, f: Frame, arg: Any) -> None:
        f.stack[-1] = iter(f.stack[-1])

    def op_FOR_ITER(self, f: Frame, arg: int) -> None:
        v = next(f.stack[-1], _END)
        if v is _END:
            f.stack.pop()
            f.pc = arg
        else:
            f.stack.append(v)

    def op_LOOP_HEADER(self, f: Frame, arg: int) -> None:
        pass

    def op_CALL(self, f: Frame, arg: tuple[int, tuple]) -> None:
        n, kwnames = arg
        stack = f.stack
        args = stack[len(stack) - n:]
        del stack[len(stack) - n:]
        fn = stack.pop()
        stack.append(caller_for(f.unit)(fn, args, kwnames))

    def op_BUILD_TUPLE(self, f: Frame, n: int) -> None:
        self._build(f, n, tuple)

    def op_BUILD_LIST(self, f: Frame, n: int) -> None:
        self._build(f, n, list)

    def op_BUILD_SLICE(self, f: Frame, n: int) -> None:
        self._build(f, n, lambda parts: slice(*parts))

    def op_BUILD_STRING(self, f: Frame, n: int) -> None:
        self._build(f, n, "".join)

    def op_BUILD_MAP(self, f: Frame, n: int) -> None:
        items = f.stack[len(f.stack) - 2 * n:]
        del f.stack[len(f.stack) - 2 * n:]
        d = {}
        for i in range(0, 2 * n, 2):
            d[items[i]] = items[i + 1]
        f.stack.append(d)

    @staticmethod
    def _build(f: Frame, n: int, make) -> None:
        if n:
            items = f.stack[-n:]
            del f.stack[-n:]
        else:
            items = []
        f.stack.append(make(items))

    def op_FORMAT_VALUE(self, f: Frame, arg: tuple[int, bool]) -> None:
        conversion, has_spec = arg
        spec = f.stack.pop() if has_spec else ""
        f.stack[-1] = format_value(f.stack[-1], conversion, spec)

    def op_UNPACK_SEQUENCE(self, f: Frame, n: int) -> None:
        items = unpacker(n)(f.stack.pop())
        f.stack.extend(reversed(items))

    def op_POP_TOP(self, f: Frame, arg: Any) -> None:
        f.stack.pop()

    def op_DUP_TOP(self, f: Frame, arg: Any) -> None:
        f.stack.append(f.stack[-1])

    def op_DUP_TOP_TWO(self, f: Frame, arg: Any) -> None:
        f.stack.extend(f.stack[-2:])

    def op_ROT_TWO(self, f: Frame, arg: Any) -> None:
        s = f.stack
        s[-1], s[-2] = s[-2], s[-1]

    def op_ROT_THREE(self, f: Frame, arg: Any) -> None:
        s = f.stack
        s[-1], s[-2], s[-3] = s[-2], s[-3], s[-1]

    def op_RETURN_VALUE(self, f: Frame, arg: Any) -> None:  # handled in run()
        raise InternalError("RETURN_VALUE is handled by the dispatch loop")

    def op_RAISE(self, f: Frame, n: int) -> None:
        if n == 0:
            raise  # re-raises the exception being handled, as a bare `raise` does
        raise f.stack.pop()

    def op_UNSUPPORTED(self, f: Frame, reason: str) -> None:
        raise InternalError(f"jitnb's interpreter reached unsupported code: {reason}")
