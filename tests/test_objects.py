"""Instances and tuples in traces: virtuals in listings, register-held state, abort reasons."""
import jitnb
from jitnb.jit.trace import objects as OB

VECTOR = """
class V:
    def __init__(self, x, y):
        self.x = x
        self.y = y * 2 if x > 250 else y
    def __add__(self, o):
        return V(self.x + o.x, self.y + o.y)

def f(n):
    t = 0
    for i in range(n):
        w = V(i, 1) + V(1, i)
        t += w.x - w.y
    return t
r = f(400)
"""


def _run(src, **params):
    ns = {"__name__": "__main__"}
    params.setdefault("check_traces", True)
    out = jitnb.run(src, ns, threshold=1, **params)
    ref = {"__name__": "__main__"}
    exec(src, ref)
    return out, ns, ref


def test_virtuals_show_in_snapshots_and_are_rebuilt_on_guard_failure():
    out, ns, ref = _run(VECTOR)
    assert ns["r"] == ref["r"]
    loop = next(l for l in out.loops if l.compiled is not None)
    text = loop.listing()
    assert "#V.x=" in text and "#V.y=" in text      # fields of virtual instances, by name
    failed = [g for g in loop.compiled.guards if g.failures]
    assert failed, "the guard inside __init__ never failed"


def test_objects_held_in_registers_are_named():
    src = ("class A:\n    def __init__(self):\n        self.n = 0\n        self.f = 'x'\n"
           "a = A()\ndef g(k):\n    for i in range(k):\n        a.n += i\n    return a.n\nr = g(100)\n")
    from jitnb.jit.trace import recorder as R
    seen = []
    orig = R.Recorder._close

    def spy(self):
        seen.append(OB.held_in_registers(self))
        return orig(self)
    R.Recorder._close = spy
    try:
        out, ns, ref = _run(src)
    finally:
        R.Recorder._close = orig
    assert ns["r"] == ref["r"]
    assert seen and any(names == ["n"] and type(obj).__name__ == "A" for obj, names in seen[0])


def test_escapes_and_unsupported_classes_abort_with_reasons():
    cases = {
        "class P:\n    __slots__ = ('x', 'y')\n    def __init__(self, x):\n        self.x = x\n"
        "        self.y = 0\n": "__slots__",
        "class P:\n    def __init__(self, x):\n        self.x = x\n    @property\n"
        "    def y(self):\n        return 1\n": "property",
    }
    for cls, why in cases.items():
        src = cls + "def f(n):\n    t = 0\n    for i in range(n):\n        p = P(i)\n" \
                    "        t += p.x + p.y\n    return t\nr = f(50)\n"
        out, ns, ref = _run(src)
        assert ns["r"] == ref["r"]
        reasons = " ".join(e.reason for e in out.events if e.kind == "trace-abort")
        assert why in reasons, (why, reasons)
    src = ("class P:\n    def __init__(self, x):\n        self.x = x\nclass H:\n    pass\nh = H()\n"
           "h.p = None\ndef f(n):\n    for i in range(n):\n        h.p = P(i)\n    return h.p.x\nr = f(50)\n")
    out, ns, ref = _run(src)
    assert ns["r"] == ref["r"]
    assert any("escapes" in e.reason for e in out.events if e.kind == "trace-abort")


def test_plain_class_rules():
    class Plain:
        pass

    class Meta(type):
        pass

    class WithMeta(metaclass=Meta):
        pass

    class Guarded:
        def __setattr__(self, k, v):
            object.__setattr__(self, k, v)

    class FromInt(int):
        pass
    assert OB.not_plain(Plain) is None
    assert "metaclass" in OB.not_plain(WithMeta)
    assert "__setattr__" in OB.not_plain(Guarded)
    assert "int" in OB.not_plain(FromInt)
    assert OB.lookup(Plain, "missing") is OB.MISSING


def test_rerun_cell_with_redefined_class_traces_again():
    """Re-running a cell makes a new class: the old trace no longer enters, so the loop is traced
    again instead of handing every iteration to the interpreter."""
    src = VECTOR.replace("r = f(400)", "r = f(3000)")
    ns = {"__name__": "__main__"}
    ref = {"__name__": "__main__"}
    exec(src, ref)
    for _ in range(3):
        out = jitnb.run(src, ns, threshold=1)
        assert ns["r"] == ref["r"]
    kinds = [e.kind for e in out.events]
    assert "native-enter" in kinds and kinds.count("interp-enter") < 50, kinds.count("interp-enter")


def test_sigint_leaves_objects_consistent():
    """Interrupted at the back-edge, the objects' attributes and the carried instance are
    written back: the invariants the loop keeps hold afterwards."""
    import os
    import signal
    import threading
    src = ("class P:\n    def __init__(self, a, b):\n        self.a = a\n        self.b = b\n"
           "acc = P(0, 0)\nq = P(0, 0)\ni = 0\nn = 10 ** 12\nwhile i < n:\n    acc.a += 2\n    acc.b += 1\n"
           "    q = P(q.a + 3, q.b + 1)\n    i += 1\n")
    g: dict = {}
    seen = []
    unsubscribe = jitnb.events.subscribe(seen.append)
    threading.Timer(1.0, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
    try:
        jitnb.run(src, g, threshold=10)
    except KeyboardInterrupt:
        pass
    else:
        raise AssertionError("not interrupted")
    finally:
        unsubscribe()
    acc, q, i = g["acc"], g["q"], g["i"]
    assert i > 10 ** 6 and any(e.kind == "native-enter" for e in seen)   # stopped in machine code
    assert (acc.a, acc.b) == (2 * i, i), (acc.a, acc.b, i)
    assert (q.a, q.b) == (3 * i, i), (q.a, q.b, i)
    assert type(q) is g["P"] and list(vars(q)) == ["a", "b"]


OBJECT_PROGRAMS = [   # corpus programs whose object loops must run as machine code
    "350_obj_vector_virtual.py", "351_obj_entry_aliases.py", "357_obj_inheritance.py",
    "359_obj_exception_in_init.py", "423_obj_tuple_returns.py", "426_obj_nested_objects.py",
    "427_obj_fix16_sqrt.py", "429_obj_module_level_loop.py", "432_obj_bridges_in_constructors.py",
    "433_obj_nested_loops_fix16.py", "435_obj_tuples_carried.py",
    "441_obj_inner_loop_array2d.py", "442_obj_inner_loop_attrs.py",
]


def test_object_corpus_programs_really_compile():
    import contextlib
    import io
    from pathlib import Path
    corpus = Path(__file__).resolve().parent / "corpus"
    for name in OBJECT_PROGRAMS:
        with contextlib.redirect_stdout(io.StringIO()):
            out = jitnb.run((corpus / name).read_text(), {"__name__": "__main__"},
                            threshold=1, filename=f"<objects-{name}>")
        kinds = {e.kind for e in out.events}
        assert "native-enter" in kinds, (name, sorted(kinds))


def test_outer_loops_call_inner_loops_over_objects():
    """An outer loop's trace calls its inner loop over instances (``call_loop``): the
    attributes it passes are the outer trace's inputs, the inner loop's entry checks on
    classes and aliasing become the outer trace's."""
    import contextlib
    import io
    from pathlib import Path
    corpus = Path(__file__).resolve().parent / "corpus"
    for name, line in [("441_obj_inner_loop_array2d.py", 20),
                       ("442_obj_inner_loop_attrs.py", 15)]:
        with contextlib.redirect_stdout(io.StringIO()):
            out = jitnb.run((corpus / name).read_text(), {"__name__": "__main__"})
        outer = [lp for lp in out.loops if lp.line == line and lp.compiled is not None]
        assert outer, (name, [e.reason for e in out.events if e.kind == "trace-abort"])
        assert "call_loop(" in outer[0].listing()
        assert not any("inner loop" in e.reason for e in out.events if e.kind == "trace-abort")


RESIDUAL_ON_OBJECT = """
import functools
class Acc:
    def __init__(self):
        self.total = 0
acc = Acc()
def bump_(k):
    acc.total += 1000          # changes the attribute the loop holds
    return k
bump = functools.partial(bump_)  # not inlined: a residual call
def go(n):
    for i in range(n):
        acc.total += i
        if i % EVERY == 0:
            bump(i)
    return acc.total
r = go(300)
"""


def test_residual_call_in_a_trace_holding_attributes_aborts():
    for every, params in [(1, {}), (7, {"trace_eagerness": 2})]:   # in the loop, in a bridge
        src = RESIDUAL_ON_OBJECT.replace("EVERY", str(every))
        out, ns, ref = _run(src, residual_call_ops=0, **params)
        assert ns["r"] == ref["r"] and ns["acc"].total == ref["acc"].total
        (loop,) = out.loops
        assert any("residual call in a trace that holds objects' attributes" in r
                   for r in loop.abort_reasons), (every, loop.abort_reasons)
        if every == 1:
            assert loop.compiled is None
        else:   # the loop without the call runs as machine code; its bridge never calls
            assert loop.compiled is not None and not loop.compiled.bridges


RESIDUAL_WITHOUT_OBJECTS = """
import math
def go(n):
    t = 0
    for i in range(n):
        t += math.gcd(i, 360) + i * i % 7 + (i ^ 5) - (i & 3) + i // 3 - i % 11 + (i | 9)
    return t
r = go(3000)
"""


def test_residual_calls_still_compile_without_objects():
    out, ns, ref = _run(RESIDUAL_WITHOUT_OBJECTS, residual_call_ops=0)
    assert ns["r"] == ref["r"]
    (loop,) = [l for l in out.loops if l.compiled is not None]
    assert "call_py(gcd, " in loop.listing()


TUPLES = """
def read_only(n, k):
    acc = 0
    for i in range(n):
        acc += k[i % 3] + k[-1]          # a tuple from entry: any index (lists.py)
    return acc
def built(n):
    acc = 0
    for i in range(n):
        t = (i, i + 1)                   # built in the loop: virtual (objects.py)
        a, b = t
        acc += a * b + t[1]
    return acc
def carried(n, t):
    for i in range(n):
        t = (t[1], t[0] + 1)             # rebound to a loop-built tuple: carried
    return t
r = read_only(500, (1, 2, 3)), built(500), carried(500, (0, 1))
"""


def test_tuples_from_entry_are_read_by_address_and_built_ones_are_virtual():
    out, ns, ref = _run(TUPLES)
    assert ns["r"] == ref["r"]
    loops = {l.line: l for l in out.loops}
    ro, bt, ca = (loops[k] for k in sorted(loops))
    assert ro.compiled is not None and bt.compiled is not None and ca.compiled is not None
    ro_specs = [s for s in ro.compiled.recorded.inputs if s.loc.where == "fast"]
    assert any(s.part == "sptr" for s in ro_specs)               # k: by address
    assert not any(s.loc.where == "vfield" for s in ro.compiled.recorded.inputs)
    assert not any(s.part == "sptr" for s in bt.compiled.recorded.inputs)
    assert sum(s.loc.where == "vfield" for s in ca.compiled.recorded.inputs) == 2


FUNCTION_ON_OBJECT = """
class C:
    def __init__(self):
        self.n = 0
    def bump(self, k):
        self.n += k
        return self.n
def step(c, k):
    c.n += k                 # an attribute written by a function traced from its start
    return c.n * 2
c = C()
t = 0
for i in range(300):
    t += step(c, i) + c.bump(1)
r = (t, c.n)
"""


def test_function_traces_keep_attribute_writes():
    out, ns, ref = _run(FUNCTION_ON_OBJECT, function_threshold=1)
    assert ns["r"] == ref["r"]
