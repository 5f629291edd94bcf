"""IPython integration: thin magics over the engine (``%%jit``, ``%jitparams``)."""
from __future__ import annotations


def register(ipython) -> None:
    from .jit_magic import JitMagics, syntax_first
    ipython.register_magics(JitMagics)
    if syntax_first not in ipython.input_transformers_post:
        ipython.input_transformers_post.append(syntax_first)


def unregister(ipython) -> None:
    from .jit_magic import syntax_first
    if syntax_first in ipython.input_transformers_post:
        ipython.input_transformers_post.remove(syntax_first)
    mm = ipython.magics_manager
    for kind in ("line", "cell"):
        for name in ("jit", "jitparams"):
            mm.magics[kind].pop(name, None)
