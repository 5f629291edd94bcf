"""Command line: ``python -m jitnb run script.py [--log FILE] [--threshold N ...]``.

Runs a script under jitnb exactly as ``python script.py`` would, optionally
writing the JIT event log (one line per event) to FILE ("-" for stderr).
"""
from __future__ import annotations

import argparse
import sys

from . import events as ev
from . import params as _params


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m jitnb", description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="run a script under jitnb")
    r.add_argument("script")
    r.add_argument("args", nargs="*", help="arguments passed to the script (after --)")
    r.add_argument("--log", metavar="FILE", help="write the event log to FILE ('-' = stderr)")
    for name, help_ in _params.describe().items():
        flag = "--" + name.replace("_", "-")
        default = getattr(_params.Params(), name)
        if isinstance(default, bool):
            r.add_argument(flag, dest=name, type=lambda s: s.lower() in ("1", "true", "yes", "on"),
                           default=None, metavar="BOOL", help=help_)
        else:
            r.add_argument(flag, dest=name, type=type(default), default=None, help=help_)
    ns, extra = ap.parse_known_args(argv)
    ns.args = list(ns.args) + [a for a in extra if a != "--"]
    changes = {k: getattr(ns, k) for k in _params.describe() if getattr(ns, k) is not None}
    try:
        p = _params.get().with_(**changes)
    except (TypeError, ValueError) as e:
        ap.error(str(e))
    with open(ns.script, encoding="utf-8") as f:
        source = f.read()
    log = None
    if ns.log:
        log = sys.stderr if ns.log == "-" else open(ns.log, "w", encoding="utf-8")
        unsubscribe = ev.subscribe(lambda e: print(e, file=log))
    from .engine import execute, register_source
    sys.argv = [ns.script] + ns.args
    register_source(ns.script, source)
    namespace = {"__name__": "__main__", "__file__": ns.script, "__builtins__": __builtins__}
    try:
        execute(source, namespace, ns.script, p)
    except SystemExit as e:
        return e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except BaseException:
        import traceback
        from .jit.driver import strip_traceback
        _, exc, _ = sys.exc_info()
        traceback.print_exception(strip_traceback(exc))
        return 1
    finally:
        if log is not None:
            unsubscribe()
            if log is not sys.stderr:
                log.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
