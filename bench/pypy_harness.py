"""Times one hot-suite kernel in the interpreter that runs this file (PyPy, by bench/hot.py).

Stand-alone on purpose (no imports from bench, nothing newer than Python 3.8): it
reads a JSON object {"name", "source", "entry", "arg", "calls"} on stdin, defines the
kernel by exec'ing its source in a fresh namespace, calls ``entry(arg)`` ``calls``
times with a collection before each call (untimed) and perf_counter_ns around it,
and prints one JSON object on stdout:

    {"result": R, "type": "int"|"float", "consistent": true, "times_ns": [...],
     "implementation": "PyPy 7.3.11", "python": "3.9.16"}
"""
import gc
import json
import platform
import sys
import time


def main():
    spec = json.load(sys.stdin)
    ns = {"__name__": "__main__"}
    exec(compile(spec["source"], "<hot:%s>" % spec["name"], "exec"), ns)
    fn = ns[spec["entry"]]
    arg = spec["arg"]
    times = []
    first = None
    consistent = True
    for c in range(spec["calls"]):
        gc.collect()
        t0 = time.perf_counter_ns()
        r = fn(arg)
        t1 = time.perf_counter_ns()
        times.append(t1 - t0)
        if c == 0:
            first = r
        elif type(r) is not type(first) or repr(r) != repr(first):
            consistent = False
    impl = platform.python_implementation()
    version = getattr(sys, "pypy_version_info", None)
    if version is not None:
        impl += " %d.%d.%d" % (version.major, version.minor, version.micro)
    json.dump({"result": first, "type": type(first).__name__, "consistent": consistent,
               "times_ns": times, "implementation": impl,
               "python": platform.python_version()}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
