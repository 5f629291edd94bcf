"""Inline views of what the JIT did; each reads only events and listings."""
from __future__ import annotations


def show_run(run) -> None:
    """Display a summary of a run: loops, hot counts, and reasons code stayed with CPython."""
    from IPython.display import HTML, display
    rows = []
    for loop in run.loops:
        rows.append(f"<tr><td>{loop.id}</td><td>{loop.scope}</td><td>{loop.line}</td>"
                    f"<td>{loop.hot_count}</td><td>{loop.iterations}</td></tr>")
    rej = "".join(f"<li>{scope}: {reason}</li>" for scope, _, reason in run.rejects)
    display(HTML("<b>jitnb</b>: loops<table><tr><th>id</th><th>scope</th><th>line</th>"
                 "<th>handed over</th><th>iterations by jitnb</th></tr>" + "".join(rows)
                 + "</table>" + (f"not JIT-able:<ul>{rej}</ul>" if rej else "")))
