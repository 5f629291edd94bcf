"""jitnb: a Jupyter-native tracing JIT you can watch.

Public API: ``run(source, namespace)``, the ``jit`` decorator, ``params`` and the
IPython extension hook.  Importing jitnb is light: IPython, widgets, capstone
and unicorn load only when used.
"""
from __future__ import annotations

from . import params
from .engine import Run, jit, run

__all__ = ["run", "jit", "Run", "params", "load_ipython_extension"]
__version__ = "0.1.0"


def load_ipython_extension(ipython) -> None:
    """``%load_ext jitnb``: register ``%%jit`` and friends."""
    from .magics import register
    register(ipython)
    warm_up()


def warm_up() -> None:
    """Import the compiler's back half now (tracing, backends, executors), so the first hot
    loop does not pay for it; ``import jitnb`` itself stays light."""
    from .jit.backend import machine, pipeline  # noqa: F401
    from .jit.backend.x86_64 import assembler  # noqa: F401
    from .jit.trace import recorder  # noqa: F401


def unload_ipython_extension(ipython) -> None:
    from .magics import unregister
    unregister(ipython)
