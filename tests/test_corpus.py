"""Differential tests: every corpus program gives the same outcome under CPython and jitnb.

Each program in ``tests/corpus`` is run once by CPython (the reference) and by
``jitnb.run`` with ``threshold=1`` (every iteration of a JIT-able loop goes
through jitnb's own interpreter) and with the default threshold.  A sample is
also run through the ``%%jit`` cell magic in a real IPython shell.
"""
from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest

from difftest import assert_same, interp_entered, run_jitnb

CORPUS = Path(__file__).resolve().parent / "corpus"
PROGRAMS = sorted(p.name for p in CORPUS.glob("[0-9][0-9][0-9]_*.py"))

PARAMS = {
    "threshold1": {"threshold": 1},
    "default": {},
}

# Programs on which jitnb currently differs from CPython: name -> reason.
KNOWN_FAILURES: dict[str, str] = {
    "284_multiline_dict_display_error.py": "open: jitnb differs from CPython (see the program's comment)",
    "286_multiline_method_call_error.py": "open: jitnb differs from CPython (see the program's comment)",
    "300_multiline_for_iterable_not_iterable.py": "open: jitnb differs from CPython (see the program's comment)",
    "301_raise_multiline_expression.py": "open: jitnb differs from CPython (see the program's comment)",
    "281_multiline_assert_message.py": "open: jitnb differs from CPython (see the program's comment)",
    "282_multiline_augassign_error.py": "open: jitnb differs from CPython (see the program's comment)",
    "283_multiline_unpack_error.py": "open: jitnb differs from CPython (see the program's comment)",
    "285_multiline_store_subscript_error.py": "open: jitnb differs from CPython (see the program's comment)",
    "287_sibling_closure_nonlocal.py": "open: jitnb differs from CPython (see the program's comment)",
    "288_locals_after_loop.py": "open: jitnb differs from CPython (see the program's comment)",
    "289_globals_after_loop.py": "open: jitnb differs from CPython (see the program's comment)",
    "290_caller_frame_in_loop.py": "open: jitnb differs from CPython (see the program's comment)",
    "291_constant_identity.py": "open: jitnb differs from CPython (see the program's comment)",
    "292_trace_mutable_truth.py": "open: jitnb differs from CPython (see the program's comment)",
    "293_trace_list_iadd.py": "open: jitnb differs from CPython (see the program's comment)",
    "294_trace_dunder_side_effect.py": "open: jitnb differs from CPython (see the program's comment)",
    "295_trace_module_attribute_rebound.py": "open: jitnb differs from CPython (see the program's comment)",
    "296_trace_float_pow2_overflow.py": "open: jitnb differs from CPython (see the program's comment)",
    "297_trace_float_pow2_rounding.py": "open: jitnb differs from CPython (see the program's comment)",
    "298_trace_cse_signed_zero.py": "open: jitnb differs from CPython (see the program's comment)",
}


def source(name: str) -> str:
    return (CORPUS / name).read_text()


def _cases():
    for name in PROGRAMS:
        for pid, params in PARAMS.items():
            marks = []
            reason = KNOWN_FAILURES.get(name)
            if isinstance(reason, dict):  # only some parameter sets fail
                reason = reason.get(pid)
            if reason:
                marks.append(pytest.mark.xfail(strict=False, reason=reason))
            yield pytest.param(name, params, id=f"{name[:-3]}-{pid}", marks=marks)


def test_corpus_is_large_enough():
    assert len(PROGRAMS) >= 220
    for name in PROGRAMS:
        lines = source(name).splitlines()
        assert 5 <= len(lines) <= 40, name
    assert set(KNOWN_FAILURES) <= set(PROGRAMS)


@pytest.mark.parametrize("name, params", list(_cases()))
def test_corpus_program(name, params):
    assert_same(source(name), **params)
