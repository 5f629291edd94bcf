"""Benchmarks for jitnb: ``python -m bench [suite]`` (``make bench``).

    runner.py   interleaved repetitions, medians and spreads, ratios, table and JSON
    configs.py  the configurations a workload runs under (CPython, jitnb, IPython...)
    stats.py    summaries and bootstrap ratios
    suites/     the workloads, one module per suite
    hot.py      the hot suite's own runner: numeric kernels called again and again under
                CPython, jitnb, PyPy (pypy_harness.py) and C (c/), first call and steady state
"""
