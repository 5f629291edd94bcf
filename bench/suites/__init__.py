"""Benchmark suites: each module has ``suite() -> runner.Suite``."""
from __future__ import annotations

from typing import Callable


def _cold():
    from .cold import suite
    return suite()


def _smoke():
    from .smoke import suite
    return suite()


def _hot():
    from .hot import suite
    return suite()


def _hot_smoke():
    from .hot import smoke_suite
    return smoke_suite()


def _hot_objects():
    from .objects import suite
    return suite()


SUITES: dict[str, Callable] = {"cold": _cold, "smoke": _smoke, "hot": _hot, "hot-smoke": _hot_smoke,
                               "hot-objects": _hot_objects}
