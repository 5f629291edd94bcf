"""The bytecode table, compiler, disassembler and jitnb's own interpreter."""
import ast
import io
import contextlib

import pytest

from jitnb.jit.interp.frame import UNBOUND, Frame
from jitnb.jit.interp.interpreter import Interpreter
from jitnb.jit.lang import opcodes as O
from jitnb.jit.lang.compiler import compile_function, compile_module
from jitnb.jit.lang.disasm import disassemble
from jitnb.jit.lang.scopes import analyse
from jitnb.jit.lang.subset import check_loop


def test_table_invariants():
    names = [op.name for op in O.OPS]
    assert len(names) == len(set(names))
    assert [op.num for op in O.OPS] == list(range(len(O.OPS)))
    interp = Interpreter()
    for op in O.OPS:
        assert hasattr(interp, "op_" + op.name), op.name
        assert op.operand in {"-", "const", "local", "name", "free", "target", "n", "binop",
                              "unop", "cmp", "call", "fmt", "loop"}
    handlers = {n[3:] for n in dir(interp) if n.startswith("op_")}
    assert handlers == set(names)


def _unit(src, fname=None):
    tree = ast.parse(src)
    smap = analyse(src)
    if fname is None:
        return compile_module(tree, smap.root, "<t>")
    fn = next(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == fname)
    return compile_function(fn, smap.for_function(fn), "<t>", fname)


def _stack_depths(unit):
    """Abstract interpretation of stack depth: consistent at every join point."""
    depth = {0: 0}
    work = [0]
    while work:
        pc = work.pop()
        ins = unit.instrs[pc]
        d = depth[pc]
        info = O.OPS[ins.op]
        succ = []
        if ins.op == O.RETURN_VALUE or ins.op == O.RAISE:
            continue
        if ins.op == O.FOR_ITER:
            succ = [(pc + 1, d + 1), (ins.arg, d - 1)]
        elif ins.op in (O.JUMP_IF_FALSE_OR_POP, O.JUMP_IF_TRUE_OR_POP):
            succ = [(pc + 1, d - 1), (ins.arg, d)]
        elif ins.op == O.JUMP:
            succ = [(ins.arg, d)]
        elif info.is_jump:
            succ = [(pc + 1, d - 1), (ins.arg, d - 1)]
        elif ins.op == O.UNSUPPORTED:
            succ = [(pc + 1, d)]
        else:
            succ = [(pc + 1, d + info.stack_effect(ins.arg))]
        for nxt, nd in succ:
            assert nd >= 0, (pc, ins)
            if nxt in depth:
                assert depth[nxt] == nd, f"inconsistent depth at {nxt}"
            else:
                depth[nxt] = nd
                work.append(nxt)
    return depth


class C:
    pass


PROGRAMS = [
    "x = 1\nwhile x < 100:\n    x = x * 2 + 1\n    if x % 3 == 0:\n        continue\n    elif x > 50:\n        break\n",
    "s = 0\nfor i, (a, b) in enumerate(zip([1, 2], [3, 4])):\n    s += a * b - i\n",
    "d = {}\nfor k in 'abc':\n    d[k] = d.get(k, 0) + 1\n    d[k] += 2\nt = (1 < 2 < 3, 3 > 2 > 5, 1 and 0 or 7)\n",
    "o = C()\no.v = 1\nfor i in range(3):\n    o.v += i\n    o.v *= 2\nx = f'{o.v:>5}|{o.v!r}|{3.5:.2f}'\n",
    "L = [1, 2, 3]\nL[1:] = [9]\nq = L[-1] if L else None\nassert q == 9, 'bad'\nr = -q, ~q, not q, +q\n",
]


@pytest.mark.parametrize("src", PROGRAMS)
def test_module_units_run_like_cpython(src):
    """Whole module units run by jitnb's interpreter give CPython's namespace."""
    unit = _unit(src)
    assert unit.complete
    _stack_depths(unit)
    expected: dict = {"C": C}
    exec(src, expected)
    got: dict = {"__builtins__": __builtins__, "C": C}
    kind, value = Interpreter().run(Frame(unit, got))
    assert kind == "return" and value is None
    for k, v in expected.items():
        if k != "__builtins__" and not isinstance(v, type):
            assert got[k] == v or vars(got[k]) == vars(v), k


def test_function_unit_and_entry_at_any_loop_body():
    src = ("def f(n):\n    s = 0\n    i = 0\n    while i < n:\n        s += i * i\n"
           "        i += 1\n    return s\n")
    unit = _unit(src, "f")
    assert Interpreter().call_unit(unit, {}, [10], {}) == sum(i * i for i in range(10))
    # start in the middle: at the loop body, with live values as CPython would hand them over
    loop = unit.loops[0]
    frame = Frame.from_locals(unit, {}, {"n": 10, "s": 5, "i": 3})
    frame.pc = loop.body_pc
    assert Interpreter().run(frame, loop) == ("header", None)
    assert frame.local_values(["s", "i"]) == (5 + 9, 4)


def test_for_loop_entry_with_iterator_and_exit():
    src = "def g(xs):\n    t = 0\n    for x in xs:\n        t += x\n    return t\n"
    unit = _unit(src, "g")
    loop = unit.loops[0]
    it = iter([5, 6])
    next(it)
    frame = Frame.from_locals(unit, {}, {"xs": None, "t": 1, "x": 4})
    frame.pc, frame.stack = loop.body_pc, [it]
    interp = Interpreter()
    assert interp.run(frame, loop)[0] == "header"
    assert interp.run(frame, loop)[0] == "header"  # no-op: already at the header
    frame.pc += 1  # step over LOOP_HEADER
    assert interp.run(frame, loop)[0] == "header"
    frame.pc += 1
    assert interp.run(frame, loop)[0] == "exit"
    assert frame.local_values(["t"]) == (1 + 4 + 6,)


@pytest.mark.parametrize("src,exc,msg", [
    ("def f():\n    y\n    y = 1\n", UnboundLocalError, "y"),
    ("def f():\n    return nope\n", NameError, "name 'nope' is not defined"),
    ("def f():\n    a, b = 1, 2, 3\n", ValueError, "too many values to unpack"),
    ("def f():\n    a, b = 5\n", TypeError, "cannot unpack non-iterable int object"),
    ("def f():\n    assert 1 > 2, 'no'\n", AssertionError, "no"),
    ("def f():\n    raise KeyError('k')\n", KeyError, "'k'"),
])
def test_errors_match_cpython(src, exc, msg):
    unit = _unit(src, "f")
    ns: dict = {}
    exec(src, ns)
    with pytest.raises(exc) as expected:
        ns["f"]()
    with pytest.raises(exc) as got:
        Interpreter().call_unit(unit, {}, [], {})
    assert str(got.value) == str(expected.value)
    assert msg in str(got.value)


def test_print_and_calls_with_keywords():
    src = "def f(a, b=2):\n    print(a, b, sep='-', end='!')\n    return max(a, b, key=abs)\n"
    unit = _unit(src, "f")
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        r = Interpreter().call_unit(unit, {}, [-7, 3], {})
    assert (buf.getvalue(), r) == ("-7-3!", -7)


def test_disassembler_marks_loops_and_targets():
    unit = _unit("for i in range(3):\n    try:\n        pass\n    except: pass\nwhile 1:\n    break\n")
    text = disassemble(unit)
    assert "loop 0 (for, line 1, not jit-able: try statement at line 2: NYI)" in text
    assert "loop 1 (while, line 5, jit-able)" in text
    assert ">>" in text and "FOR_ITER" in text


@pytest.mark.parametrize("src,reason", [
    ("for i in range(3):\n    x = [j for j in range(i)]\n", "list comprehension at line 2: NYI"),
    ("for i in range(3):\n    f = lambda: i\n", "lambda at line 2: NYI"),
    ("for i in range(3):\n    pass\nelse:\n    pass\n", "for-else at line 1: NYI"),
    ("for i in range(3):\n    print(*[i])\n", "starred expression at line 2: NYI"),
    ("for i in range(3):\n    with open('x'): pass\n", "with statement at line 2: NYI"),
    ("for i in range(3):\n    del i\n", "del statement at line 2: NYI"),
    ("for i in range(3):\n    x = locals()\n", "locals() at line 2: inspects the calling frame"),
])
def test_subset_reasons(src, reason):
    tree = ast.parse(src)
    assert str(check_loop(tree.body[0], analyse(src).root)) == reason


def test_closure_rules():
    src = ("def outer():\n    a = 1\n    def inner():\n        nonlocal a\n        a += 1\n"
           "    for i in range(3):\n        b = a\n    c = 0\n    def reader():\n        return c\n"
           "    for i in range(3):\n        c = i\n")
    tree = ast.parse(src)
    smap = analyse(src)
    fn = tree.body[0]
    scope = smap.for_function(fn)
    loops = [n for n in fn.body if isinstance(n, ast.For)]
    assert "rebound by an inner function" in str(check_loop(loops[0], scope))
    assert "captured by a closure" in str(check_loop(loops[1], scope))


@pytest.mark.parametrize("src, dead, live", [
    # `s` and `t` are written before any read in each iteration and after the loop
    ("def f(xs):\n    out = 0\n    for x in xs:\n        s = x * 2\n        t = s + 1\n"
     "        out += t\n    return out\n", {"s", "t", "x", "xs"}, {"out"}),
    # `t` is read after the loop: live at the header (the exit path reads it)
    ("def f(xs):\n    t = 0\n    for x in xs:\n        t = x\n    return t\n",
     {"x", "xs"}, {"t"}),   # (xs: its iterator is on the stack, xs itself is not read)
    # `s` is read before it is written in the body: live
    ("def f(xs):\n    s = 0\n    for x in xs:\n        s = s + x\n    return 1\n",
     {"x"}, {"s"}),
    # a unit that calls locals() keeps everything live
    ("def f(xs):\n    for x in xs:\n        s = x\n    return locals()\n", set(), {"s", "x", "xs"}),
])
def test_liveness_at_loop_headers(src, dead, live):
    from jitnb.jit.lang.liveness import dead_at
    unit = _unit(src, "f")
    names = unit.localnames
    got = {names[i] for i in dead_at(unit, unit.loops[0].header_pc)}
    assert dead <= got and not (live & got), (got, names)
