"""Inline views of what the JIT did; each reads only events, loops' statistics and listings."""
from __future__ import annotations

import html


def run_html(run, compare: bool = False) -> str:
    """A run's loops (hot counts, compile state), the reasons code stayed with CPython,
    and the listing of every compiled loop."""
    from ..jit.listing import build
    e = html.escape
    rows = []
    listings = []
    for loop in run.loops:
        c = loop.compiled
        state = (f"compiled ({e(c.executor.name)}), entered {c.entries}×" if c is not None
                 else "blacklisted: " + e("; ".join(loop.abort_reasons[-1:])) if loop.blacklisted
                 else e("; ".join(loop.abort_reasons[-1:])) or "interpreted")
        rows.append(f"<tr><td>{loop.id}</td><td>{e(loop.scope)}</td><td>{loop.line}</td>"
                    f"<td>{loop.hot_count}</td><td>{state}</td></tr>")
        data = build(loop)
        if data is not None:
            listings.append(data.html())
        if compare and loop.compiled is not None:
            from ..jit.listing import side_by_side
            pair = side_by_side(loop)
            if pair is not None:
                listings.append(pair.html())
    rej = "".join(f"<li>{e(scope)}: {e(reason)}</li>" for scope, _, reason in run.rejects)
    return ("<div><b>jitnb</b>: loops<table><tr><th>id</th><th>scope</th><th>line</th>"
            "<th>handed over</th><th>state</th></tr>" + "".join(rows) + "</table>"
            + (f"not JIT-able:<ul>{rej}</ul>" if rej else "") + "".join(listings) + "</div>")


def show_run(run, compare: bool = False) -> None:
    """Display `run_html(run)` in the notebook."""
    from IPython.display import HTML, display
    display(HTML(run_html(run, compare)))
