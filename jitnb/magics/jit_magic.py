"""``%%jit`` runs a cell under jitnb; ``%jitparams`` shows or sets the global JIT parameters.

The cell runs in the user namespace with a plain cell's behaviour: its output, its
final expression's display, the variables it binds, and exceptions shown with the
cell's own line numbers (jitnb's frames are hidden from the traceback).
"""
from __future__ import annotations

import ast

from IPython.core.error import UsageError
from IPython.core.magic import Magics, cell_magic, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring

from .. import params as _params
from ..engine import Run, execute, register_source

_PARAM_OPTIONS = [
    ("--threshold", "threshold", int),
    ("--function-threshold", "function_threshold", int),
    ("--trace-eagerness", "trace_eagerness", int),
    ("--trace-limit", "trace_limit", int),
    ("--opts", "enable_opts", str),
]


def _param_arguments(fn):
    for flag, dest, typ in reversed(_PARAM_OPTIONS):
        fn = argument(flag, dest=dest, type=typ, default=None,
                      help=_params.describe()[dest])(fn)
    fn = argument("--arch", choices=["host", "x86_64", "aarch64"], default=None,
                  help=_params.describe()["arch"])(fn)
    fn = argument("--emulate", action="store_true", default=None,
                  help=_params.describe()["emulate"])(fn)
    fn = argument("--no-jit", dest="jit", action="store_false", default=None,
                  help="count and interpret hot loops, but compile nothing")(fn)
    return fn


def _changes(args) -> dict:
    keys = [d for _, d, _ in _PARAM_OPTIONS] + ["arch", "emulate", "jit"]
    return {k: getattr(args, k) for k in keys if getattr(args, k, None) is not None}


@magics_class
class JitMagics(Magics):
    last_run: Run | None = None

    @magic_arguments()
    @argument("--show", action="store_true", help="show what jitnb did with the cell's loops")
    @argument("--compare", action="store_true",
              help="show each compiled loop's code for x86_64 and AArch64 side by side")
    @_param_arguments
    @cell_magic
    def jit(self, line: str, cell: str):
        """Run the cell under jitnb: exact CPython results, hot loops traced and compiled."""
        args = parse_argstring(self.jit, line)
        try:
            p = _params.get().with_(**_changes(args))
        except (TypeError, ValueError) as e:
            raise UsageError(str(e)) from None
        shell = self.shell
        raw = f"%%jit {line}\n{cell}" if line else f"%%jit\n{cell}"
        parsed = _checked.pop(cell, None)  # syntax_first parsed it already
        source, tree = parsed if parsed else ("\n" + shell.transform_cell(cell), None)
        filename = shell.compile.cache(raw, shell.execution_count, raw_code=raw)
        register_source(filename, raw)
        run = None
        try:
            run = execute(source, shell.user_ns, filename, p, interactive=True, tree=tree)
        except BaseException as e:  # shown as a plain cell would show it
            e._render_traceback_ = _renderer(shell, e, filename)  # type: ignore[attr-defined]
            raise e.with_traceback(_user_frames(e.__traceback__, filename)) from None
        finally:
            JitMagics.last_run = run
        if args.show or args.compare:
            from ..widgets import show_run
            show_run(run, compare=args.compare)
        return run.value

    @magic_arguments()
    @argument("--reset", action="store_true", help="restore the defaults")
    @_param_arguments
    @line_magic
    def jitparams(self, line: str):
        """Show or change the global JIT parameters (``%jitparams --threshold 50``)."""
        args = parse_argstring(self.jitparams, line)
        if args.reset:
            _params.reset()
        try:
            p = _params.set(**_changes(args))
        except (TypeError, ValueError) as e:
            raise UsageError(str(e)) from None
        return p


def _user_frames(tb, filename: str):
    """Skip the magic's and the engine's frames: start at the cell's first frame."""
    while tb is not None and tb.tb_frame.f_code.co_filename != filename:
        tb = tb.tb_next
    return tb


def _renderer(shell, exc: BaseException, filename: str):
    tb = _user_frames(exc.__traceback__, filename)

    def render():
        return shell.InteractiveTB.structured_traceback(type(exc), exc, tb, tb_offset=0)
    return render


def syntax_first(lines: list[str]) -> list[str]:
    """Input transformer: a ``%%jit`` cell whose body does not parse runs as the plain body,
    so the SyntaxError is reported exactly as for a plain cell (same lines, no traceback)."""
    if not lines or not lines[0].startswith("get_ipython().run_cell_magic('jit'"):
        return lines
    try:
        call = ast.parse("".join(lines)).body[0].value  # type: ignore[attr-defined]
        body = call.args[2].value
    except (SyntaxError, AttributeError, IndexError):
        return lines
    from IPython import get_ipython
    shell = get_ipython()
    source = "\n" + (shell.transform_cell(body) if shell else body)  # line 1: the magic
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return ["\n"] + body.splitlines(True)
    _checked.clear()
    _checked[body] = (source, tree)
    return lines


_checked: dict[str, tuple[str, ast.Module]] = {}   # cell body -> (transformed source, tree)
