"""Benchmarks for jitnb: ``python -m bench [suite]`` (``make bench``).

    runner.py   interleaved repetitions, medians and spreads, ratios, table and JSON
    configs.py  the configurations a workload runs under (CPython, jitnb, IPython...)
    stats.py    summaries and bootstrap ratios
    suites/     the workloads, one module per suite
"""
