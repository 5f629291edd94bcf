"""Differential tests: every corpus program gives the same outcome under CPython and jitnb.

Each program in ``tests/corpus`` is run once by CPython (the reference, cached)
and by ``jitnb.run`` with these parameter sets:

* ``threshold1``        every JIT-able loop is handed to jitnb on its first
                        iteration, every JIT-able function is traced from its
                        first call; numeric code is then compiled (and checked);
* ``threshold1-nojit``  the same without compilation: every iteration of a
                        JIT-able loop runs in jitnb's own bytecode interpreter;
* ``default``           the default parameters (loops get hot after 200 iterations,
                        functions after 400 calls);
* ``x86-unicorn``, ``aarch64`` (and their ``-default`` twins): ``threshold1`` (and
                        ``default``) with the machine code run in Unicorn, as x86_64
                        and as AArch64.

A sample also runs through the ``%%jit`` cell magic in a real IPython shell and
is compared with a plain cell, and meta-tests check that the corpus really
exercises jitnb's interpreter and its compiled traces.

Programs jitnb currently gets wrong are listed in ``KNOWN_FAILURES`` with the
diagnosis; they are strict xfails, so a fix shows up as an XPASS to clean up.
"""
from __future__ import annotations

import atexit
import contextlib
import io
from pathlib import Path

import pytest

import jitnb
from difftest import assert_same, canon, interp_entered, run_jitnb

CORPUS = Path(__file__).resolve().parent / "corpus"
PROGRAMS = sorted(p.name for p in CORPUS.glob("[0-9][0-9][0-9]_*.py"))

PARAMS = {
    # machine code checked by the IR oracle; functions are traced from their first call
    "threshold1": {"threshold": 1, "function_threshold": 1, "check_traces": True},
    "threshold1-nojit": {"threshold": 1, "jit": False},
    "default": {},
    # the same programs with the machine code emulated: x86_64 and AArch64 in Unicorn
    "x86-unicorn": {"threshold": 1, "function_threshold": 1, "emulate": True, "check_traces": True},
    "aarch64": {"threshold": 1, "function_threshold": 1, "arch": "aarch64", "check_traces": True},
    # and at the default thresholds (loops warm up in CPython first, as in a notebook)
    "x86-unicorn-default": {"emulate": True},
    "aarch64-default": {"arch": "aarch64"},
}
ALL = tuple(PARAMS)
INTERPRETED = ("threshold1", "threshold1-nojit")   # the failing line runs in jitnb's interpreter
TRACED = ("threshold1", "default")                 # the loop runs as a compiled trace

# -- known failures ----------------------------------------------------------------------
# name -> (parameter sets on which jitnb differs, diagnosis)

_LINES = ("jit/lang/compiler.py Compiler.expr() sets self.line for every sub-expression and "
          "never restores it, so an instruction emitted after a multi-line operand "
          "({op}) carries the operand's last line; CPython 3.11 restores the location of "
          "the enclosing statement/expression after each sub-expression, so the "
          "exception is reported on a different line")

KNOWN_FAILURES: dict[str, tuple[tuple[str, ...], str]] = {
}


def source(name: str) -> str:
    return (CORPUS / name).read_text()


def _cases():
    for name in PROGRAMS:
        failing, reason = KNOWN_FAILURES.get(name, ((), ""))
        for pid, params in PARAMS.items():
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if pid in failing else []
            yield pytest.param(name, params, id=f"{name[:-3]}-{pid}", marks=marks)


def test_corpus_shape():
    assert len(PROGRAMS) >= 220
    for name in PROGRAMS:
        lines = source(name).splitlines()
        assert 5 <= len(lines) <= 40, f"{name}: {len(lines)} lines"
        assert lines[0].startswith("# "), f"{name}: first line should say what it tests"
    assert set(KNOWN_FAILURES) <= set(PROGRAMS)
    for failing, _ in KNOWN_FAILURES.values():
        assert failing and set(failing) <= set(PARAMS)


@pytest.mark.parametrize("name, params", list(_cases()))
def test_corpus_program(name, params):
    assert_same(source(name), **params)


# -- meta-tests: the corpus really exercises jitnb -----------------------------------------

# programs with a JIT-able loop that gets hot at threshold=1
JITABLE = [
    "005_int_add_sub_mul.py", "025_collatz.py", "029_sum_of_squares_func.py",
    "036_chained_compare.py", "051_locals_in_function.py", "053_global_rebound_in_loop.py",
    "056_closure_read.py", "076_if_elif_else.py", "079_while_true_break.py",
    "084_for_array.py", "085_for_dict.py", "088_nested_loops_function.py",
    "092_return_from_loop.py", "099_loop_over_generator.py", "120_user_class_attrs.py",
    "139_subscript_get_set.py", "155_augassign_names.py", "157_list_iadd_identity.py",
    "160_fstrings.py", "174_assert_pass_fail.py", "178_exception_in_called_function.py",
    "179_try_around_loop.py", "189_loop_in_except_handler.py", "229_long_sum_while.py",
]
# programs whose numeric loops are traced and compiled at threshold=1
TRACEABLE = [
    "229_long_sum_while.py", "231_long_float_loop.py", "246_trace_int_overflow_midloop.py",
    "248_trace_floordiv_mod_signs.py", "249_trace_div_zero_late.py",
    "256_trace_bool_values.py", "262_trace_math_functions.py", "266_trace_range_negative_step.py",
    "272_trace_globals_module_loop.py", "273_trace_branch_flip.py",
]
# programs whose every loop is outside the subset: they must never enter jitnb
FALLBACK_ONLY = [
    "096_while_else.py", "135_class_body_loop.py", "181_try_inside_loop.py",
    "206_comprehensions_in_loop.py", "209_lambda_in_loop_body.py", "213_nonlocal_in_loop_fallback.py",
    "214_captured_variable_assigned_in_loop.py", "221_match_statement.py",
    "223_set_display_in_loop.py", "226_locals_in_loop.py",
]


@pytest.mark.parametrize("name", JITABLE)
def test_interpreter_really_runs(name):
    out = run_jitnb(source(name), threshold=1)
    assert interp_entered(out), f"{name}: no interp-enter event at threshold=1"


@pytest.mark.parametrize("name", TRACEABLE)
def test_traces_really_run(name):
    out = run_jitnb(source(name), threshold=1)
    kinds = {e.kind for e in out.events}
    # compiled in this run, or earlier (a re-run of the same source reuses its loops)
    assert kinds & {"trace-compiled", "native-enter"}, f"{name}: no loop compiled ({sorted(kinds)})"


@pytest.mark.parametrize("arch", ["x86_64", "aarch64"])
def test_traces_run_emulated(arch):
    for name in TRACEABLE[:4]:
        out = jitnb.run(source(name), {"__name__": "__main__"}, threshold=1, arch=arch, emulate=True,
                        filename=f"<emulated-{name}>")
        names = {loop.compiled.executor.name for loop in out.loops if loop.compiled is not None}
        assert names and all(f"{arch} unicorn" in n for n in names), (name, names)


@pytest.mark.parametrize("name", FALLBACK_ONLY)
def test_fallback_programs_stay_with_cpython(name):
    out = run_jitnb(source(name), threshold=1)
    kinds = {e.kind for e in out.events}
    assert "not-jitable" in kinds, f"{name}: no loop was reported as not JIT-able"
    assert not interp_entered(out), f"{name}: a loop outside the subset entered jitnb"


def test_meta_lists_name_existing_programs():
    for name in JITABLE + TRACEABLE + FALLBACK_ONLY + MAGIC_SAMPLE:
        assert name in PROGRAMS, name


# -- the %%jit cell magic in a real IPython shell ------------------------------------------

MAGIC_SAMPLE = [
    "005_int_add_sub_mul.py", "011_int_div_by_zero.py", "025_collatz.py",
    "036_chained_compare.py", "053_global_rebound_in_loop.py", "055_global_decl_in_function.py",
    "076_if_elif_else.py", "092_return_from_loop.py", "120_user_class_attrs.py",
    "145_dict_get_set.py", "157_list_iadd_identity.py", "160_fstrings.py",
    "176_raise_in_loop.py", "178_exception_in_called_function.py",
    "180_try_around_loop_module.py", "200_exception_in_default_threshold_loop.py",
    "246_trace_int_overflow_midloop.py", "249_trace_div_zero_late.py",
    "256_trace_bool_values.py", "272_trace_globals_module_loop.py",
]


def _require_magic():
    pytest.importorskip("IPython")
    try:
        from jitnb.magics import register  # noqa: F401
    except (ImportError, AttributeError) as e:
        pytest.skip(f"jitnb.magics does not provide the %%jit magic yet: {e}")


@pytest.fixture(scope="module")
def ipython_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("ipython")


@pytest.fixture
def new_shell(ipython_dir, monkeypatch):
    """A factory of fresh, quiet InteractiveShell instances (no history file, no display)."""
    _require_magic()
    monkeypatch.setenv("IPYTHONDIR", str(ipython_dir))
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    shells = []

    def make(load_jitnb: bool):
        config = Config()
        config.HistoryManager.hist_file = ":memory:"
        shell = InteractiveShell(config=config)
        shells.append(shell)
        shell.ast_node_interactivity = "none"
        shell._showtraceback = lambda etype, evalue, stb: None  # keep stdout program-only
        if load_jitnb:
            import jitnb
            jitnb.load_ipython_extension(shell)
        return shell
    yield make
    for shell in shells:  # each shell's exit hook would reset it (with a gc) at interpreter exit
        atexit.unregister(shell.atexit_operations)
        shell.history_manager.end_session()


def _run_cell(shell, cell: str):
    before = set(shell.user_ns)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        result = shell.run_cell(cell, store_history=True)
    names = {k: canon(v) for k, v in shell.user_ns.items()
             if k not in before and not k.startswith("_")}
    err = result.error_in_exec
    error = None if err is None else (type(err).__qualname__, str(err))
    return out.getvalue(), names, error, result


@pytest.mark.parametrize("magic_line", ["%%jit --threshold 1", "%%jit"], ids=["threshold1", "default"])
@pytest.mark.parametrize("name", MAGIC_SAMPLE)
def test_jit_magic_matches_plain_cell(name, magic_line, new_shell):
    code = source(name)
    plain_out, plain_names, plain_error, plain = _run_cell(new_shell(False), code)
    jit_out, jit_names, jit_error, jitted = _run_cell(new_shell(True), magic_line + "\n" + code)
    assert plain.error_before_exec is None and jitted.error_before_exec is None
    assert jit_error == plain_error, "exception recorded in the ExecutionResult differs"
    assert jit_out == plain_out, "captured stdout differs"
    assert jit_names == plain_names, "user namespace differs"
