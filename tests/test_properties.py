"""Property tests: random arithmetic programs behave the same under CPython and jitnb.

Hypothesis builds small programs from a typed grammar: int and float variables,
expression trees over ``+ - * / // % ** & | ^ << >>``, unary operators,
comparisons (chained too), ``and``/``or``/``not``, conditional expressions,
``abs``/``int``/``float`` calls, if/elif/else, counted while loops (with
``break``/``continue``), for-range loops and augmented assignments, printing
intermediate values.  Every program is run by CPython and by jitnb with
``threshold=1`` and ``threshold=3`` (loops traced and compiled) and with
``threshold=1, jit=False`` (every loop iteration in jitnb's interpreter), and
the outcomes (stdout, final names, exception and its line) must agree.

Ints stay bounded (assignments reduce them modulo a few moduli, some past
2**64) so programs run fast while still crossing 2**63 inside expressions.
Generation is deterministic (``derandomize=True``).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from difftest import cpython_reference, differences, run_jitnb

PARAMS = [{"threshold": 1}, {"threshold": 3}, {"threshold": 1, "jit": False}]

SETTINGS = settings(max_examples=150, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much])

def lit(v) -> str:
    return f"({v!r})" if (isinstance(v, (int, float)) and (v < 0 or repr(v).startswith("-"))) \
        else repr(v)


INT_VARS = ("a", "b", "c")
FLOAT_VARS = ("x", "y", "z")
SPECIAL = ("nan", "inf")          # float variables bound once, never assigned
# literals, not expressions: jitnb (unlike CPython's compiler) does not fold `2 ** 64`
MODULI = tuple(lit(m) for m in (2 ** 64 + 13, 1000003, 97, -(2 ** 63), 2 ** 63 - 1, 2 ** 62 + 1,
                                65536, -1000))

INT_LITERALS = (0, 1, 2, 3, 5, 7, -1, -2, -7, 10, 64, 255, 1000, 2 ** 31, 2 ** 53 + 1,
                2 ** 62, 2 ** 63 - 1, -2 ** 63, 2 ** 63 - 2, -2 ** 63 + 1, 2 ** 32 - 1)
BIG_LITERALS = (2 ** 63, 2 ** 64 + 3, -(2 ** 70), -2 ** 63 - 1)   # beyond 64 bits
FLOAT_LITERALS = (0.0, -0.0, 0.5, -1.5, 2.5, 1e-300, 1e300, 3.141592653589793, 1e16,
                  -2.75e-5, 0.1, 1.7976931348623157e308, 5e-324, 4503599627370497.0)


@dataclass
class Ctx:
    """What the generator may use at the current point of the program."""
    int_names: tuple = INT_VARS
    loop_depth: int = 0
    in_loop: bool = False
    counters: list = field(default_factory=list)

    def inner(self, extra_ints: tuple = ()) -> "Ctx":
        return Ctx(self.int_names + extra_ints, self.loop_depth + 1, True, self.counters)


# -- expressions -------------------------------------------------------------------------

def int_expr(draw, ctx: Ctx, depth: int) -> str:
    if depth <= 0 or draw(st.integers(0, 4)) == 0:
        if draw(st.booleans()):
            return draw(st.sampled_from(ctx.int_names))
        if draw(st.integers(0, 9)) == 0:
            return lit(draw(st.sampled_from(BIG_LITERALS)))
        return lit(draw(st.sampled_from(INT_LITERALS) | st.integers(-300, 300)))
    kind = draw(st.sampled_from(("bin", "bin", "bin", "div", "shift", "pow", "unary", "abs",
                                 "ifexp", "cmp", "int")))
    sub = lambda: int_expr(draw, ctx, depth - 1)  # noqa: E731
    if kind == "bin":
        op = draw(st.sampled_from(("+", "-", "*", "&", "|", "^")))
        return f"({sub()} {op} {sub()})"
    if kind == "div":
        op = draw(st.sampled_from(("//", "%")))
        right = sub()
        if draw(st.integers(0, 5)):            # usually keep the divisor non-zero
            right = f"({right} or {draw(st.sampled_from((7, -3, 1, -1, 2 ** 63 - 1)))!r})"
        return f"({sub()} {op} {right})"
    if kind == "shift":
        if draw(st.booleans()):
            return f"({sub()} << {draw(st.integers(0, 70))})"
        return f"({sub()} >> {draw(st.integers(0, 80))})"
    if kind == "pow":
        return f"({sub()} ** {draw(st.integers(0, 4))})"
    if kind == "unary":
        return f"({draw(st.sampled_from(('-', '~', '+')))}{sub()})"
    if kind == "abs":
        return f"abs({sub()})"
    if kind == "ifexp":
        return f"({sub()} if {cond(draw, ctx, depth - 1)} else {sub()})"
    if kind == "cmp":
        return cond(draw, ctx, depth - 1)          # a bool used as an int
    return f"int({float_expr(draw, ctx, depth - 1)})"


def float_expr(draw, ctx: Ctx, depth: int) -> str:
    if depth <= 0 or draw(st.integers(0, 4)) == 0:
        choice = draw(st.integers(0, 9))
        if choice < 4:
            return draw(st.sampled_from(FLOAT_VARS))
        if choice == 4:
            return draw(st.sampled_from(SPECIAL))
        if choice == 5:
            return draw(st.sampled_from(ctx.int_names))   # ints mixed into float code
        return lit(draw(st.sampled_from(FLOAT_LITERALS)
                        | st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)))
    kind = draw(st.sampled_from(("bin", "bin", "bin", "div", "pow", "unary", "abs", "float",
                                 "intdiv", "ifexp")))
    sub = lambda: float_expr(draw, ctx, depth - 1)  # noqa: E731
    if kind == "bin":
        op = draw(st.sampled_from(("+", "-", "*")))
        return f"({sub()} {op} {sub()})"
    if kind == "div":
        op = draw(st.sampled_from(("/", "/", "//", "%")))
        right = sub()
        if draw(st.integers(0, 5)):
            right = f"({right} or {draw(st.sampled_from((1.5, -0.25, 3.0)))!r})"
        return f"({sub()} {op} {right})"
    if kind == "pow":
        return f"({sub()} ** {draw(st.sampled_from((2, 3, -1, -2, 0, 2.0)))!r})"
    if kind == "unary":
        return f"({draw(st.sampled_from(('-', '+')))}{sub()})"
    if kind == "abs":
        return f"abs({sub()})"
    if kind == "float":
        return f"float({int_expr(draw, ctx, depth - 1)})"
    if kind == "intdiv":
        right = int_expr(draw, ctx, depth - 1)
        return f"({int_expr(draw, ctx, depth - 1)} / ({right} or 3))"
    return f"({sub()} if {cond(draw, ctx, depth - 1)} else {sub()})"


def num_expr(draw, ctx: Ctx, depth: int) -> str:
    return (int_expr if draw(st.booleans()) else float_expr)(draw, ctx, depth)


def cond(draw, ctx: Ctx, depth: int) -> str:
    kind = draw(st.sampled_from(("cmp", "cmp", "chain", "not", "andor", "truth")))
    d = max(depth, 0)
    ops = ("<", "<=", "==", "!=", ">", ">=")
    if kind == "cmp" or depth <= 0:
        return f"({num_expr(draw, ctx, d)} {draw(st.sampled_from(ops))} {num_expr(draw, ctx, d)})"
    if kind == "chain":
        o1, o2 = draw(st.sampled_from(ops)), draw(st.sampled_from(ops))
        return f"({num_expr(draw, ctx, d)} {o1} {num_expr(draw, ctx, d)} {o2} {num_expr(draw, ctx, d)})"
    if kind == "not":
        return f"(not {cond(draw, ctx, depth - 1)})"
    if kind == "andor":
        op = draw(st.sampled_from(("and", "or")))
        return f"({cond(draw, ctx, depth - 1)} {op} {cond(draw, ctx, depth - 1)})"
    return f"({num_expr(draw, ctx, d)})"


# -- statements --------------------------------------------------------------------------

def assign(draw, ctx: Ctx) -> list[str]:
    depth = draw(st.integers(1, 3))
    if draw(st.booleans()):
        v = draw(st.sampled_from(INT_VARS))
        if draw(st.integers(0, 3)) == 0:
            op = draw(st.sampled_from(("+=", "-=", "^=", "|=", "&=")))
            return [f"{v} {op} {int_expr(draw, ctx, depth)}", f"{v} %= {draw(st.sampled_from(MODULI))}"]
        return [f"{v} = {int_expr(draw, ctx, depth)} % {draw(st.sampled_from(MODULI))}"]
    v = draw(st.sampled_from(FLOAT_VARS))
    if draw(st.integers(0, 3)) == 0:
        op = draw(st.sampled_from(("+=", "-=", "*=", "/=")))
        return [f"{v} {op} {float_expr(draw, ctx, depth)}"]
    return [f"{v} = {float_expr(draw, ctx, depth)}"]


def show(draw, ctx: Ctx) -> list[str]:
    names = draw(st.lists(st.sampled_from(INT_VARS + FLOAT_VARS + ctx.int_names), min_size=1,
                          max_size=3))
    extra = num_expr(draw, ctx, draw(st.integers(0, 2)))
    if draw(st.booleans()):
        return [f"print({', '.join(names)}, {extra})"]
    return [f"print({', '.join(names)}, {extra}, sep=';', end='|\\n')"]


def block(draw, ctx: Ctx, size: tuple[int, int] = (1, 4)) -> list[str]:
    lines: list[str] = []
    for _ in range(draw(st.integers(*size))):
        lines += statement(draw, ctx)
    return lines


def indent(lines: list[str]) -> list[str]:
    return ["    " + line for line in lines]


def statement(draw, ctx: Ctx) -> list[str]:
    kinds = ["assign"] * 6 + ["if"] * 2 + ["print"] * (1 if ctx.in_loop else 3)
    if ctx.loop_depth < 2:
        kinds += ["while", "for"]
    if ctx.in_loop:
        kinds += ["jump"]
    kind = draw(st.sampled_from(kinds))
    if kind == "assign":
        return assign(draw, ctx)
    if kind == "print":
        return show(draw, ctx)
    if kind == "if":
        lines = [f"if {cond(draw, ctx, 2)}:"] + indent(block(draw, ctx, (1, 3)))
        for _ in range(draw(st.integers(0, 2))):
            lines += [f"elif {cond(draw, ctx, 2)}:"] + indent(block(draw, ctx, (1, 2)))
        if draw(st.booleans()):
            lines += ["else:"] + indent(block(draw, ctx, (1, 2)))
        return lines
    if kind == "jump":
        return [f"if {cond(draw, ctx, 1)}:", "    " + draw(st.sampled_from(("break", "continue")))]
    n = len(ctx.counters)
    if kind == "while":
        w = f"w{n}"
        ctx.counters.append(w)
        count = draw(st.integers(0, 12))
        body = [f"{w} += 1"] + block(draw, ctx.inner((w,)))
        return [f"{w} = 0", f"while {w} < {count}:"] + indent(body)
    k = f"k{n}"
    ctx.counters.append(k)
    step = draw(st.sampled_from((1, 1, 2, 3, -1, -2)))
    start = draw(st.integers(-5, 5))
    stop = start + step * draw(st.integers(0, 12))
    return [f"for {k} in range({start}, {stop}, {step}):"] + indent(block(draw, ctx.inner((k,))))


def preamble(draw) -> list[str]:
    lines = ['nan = float("nan")', 'inf = float("inf")']
    for v in INT_VARS:
        lines.append(f"{v} = {lit(draw(st.sampled_from(INT_LITERALS) | st.integers(-50, 50)))}")
    for v in FLOAT_VARS:
        lines.append(f"{v} = {lit(draw(st.sampled_from(FLOAT_LITERALS)))}")
    return lines


def finish(ctx: Ctx) -> list[str]:
    return [f"print({', '.join(INT_VARS + FLOAT_VARS)})"]


def wrap(draw, body: list[str], ctx: Ctx) -> str:
    """Module level, or inside a function (fast locals) called at the end."""
    head = preamble(draw)
    if draw(st.booleans()):
        return "\n".join(head + body + finish(ctx)) + "\n"
    names = ", ".join(INT_VARS + FLOAT_VARS)
    fn = ["def main():"] + indent(head + body + finish(ctx) + [f"return ({names})"])
    return "\n".join(fn + ["result = main()", "print(result)"]) + "\n"


@st.composite
def straight_line_programs(draw) -> str:
    """Straight-line arithmetic repeated by a small driver loop (so jitnb runs it)."""
    ctx = Ctx()
    body = []
    prints = draw(st.booleans())  # without prints in the loop, the loop can be compiled
    for _ in range(draw(st.integers(2, 8))):
        body += show(draw, ctx) if prints and draw(st.integers(0, 3)) == 0 else assign(draw, ctx)
    reps = draw(st.integers(1, 8))
    after = [] if prints else show(draw, ctx)
    return wrap(draw, [f"for rep in range({reps}):"] + indent(body) + after, ctx)


@st.composite
def looping_programs(draw) -> str:
    """Programs with conditionals, nested while/for loops, break and continue."""
    ctx = Ctx()
    body: list[str] = []
    for _ in range(draw(st.integers(1, 4))):
        body += statement(draw, ctx)
    if not any(line.lstrip().startswith(("for ", "while ")) for line in body):
        ctx.counters.append("k_last")
        body += ["for k_last in range(5):"] + indent(block(draw, ctx.inner(("k_last",))))
    return wrap(draw, body, ctx)


# -- the properties ----------------------------------------------------------------------

def check(program: str) -> None:
    expected = cpython_reference(program)
    for params in PARAMS:
        diffs = differences(expected, run_jitnb(program, **params))
        if diffs:
            numbered = "\n".join(f"{i:3} | {l}" for i, l in enumerate(program.splitlines(), 1))
            raise AssertionError(f"jitnb {params} differs from CPython\n" + "\n".join(diffs)
                                 + "\n--- program ---\n" + numbered)


@SETTINGS
@given(straight_line_programs())
def test_straight_line_arithmetic(program):
    check(program)


@SETTINGS
@given(looping_programs())
def test_looping_arithmetic(program):
    check(program)


def test_generated_programs_compile():
    """The grammar only produces valid programs (a cheap guard for the generators)."""
    @settings(max_examples=40, deadline=None, derandomize=True, database=None)
    @given(st.one_of(straight_line_programs(), looping_programs()))
    def inner(program):
        compile(program, "<generated>", "exec")
    inner()
