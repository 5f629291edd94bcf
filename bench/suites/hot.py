"""Numeric kernels, hot: steady-state speed against CPython, PyPy and C (see bench/hot.py).

Each kernel is a cell defining ``kernel(n)`` and a fixed ``n`` for which one call
takes some 5-50 ms under CPython 3.11 (a notebook-sized call).  The first kernels
here keep to ints, floats and bools in local variables; the DLS 2012 set after
them (bench/suites/dls.py) adds ``array.array`` buffers and the paper's classes.
``bench/c/<name>.c`` is the same kernel in C, with the same loops and the float
operations in the same order, so every result matches bit for bit.
"""
from __future__ import annotations

from ..hot import HotSuite, Kernel
from . import dls

INT_LOOP = '''\
def kernel(n):
    s = 0
    for i in range(n):
        s += (i * i) % 7
    return s
'''

# DLS 2012 ("Loop-aware optimizations in PyPy's tracing JIT"), sqrt: Newton's method with a
# fixed number of steps in a while loop; here once for every y of a range, and the roots summed.
SQRT_FLOAT = '''\
def kernel(n):
    s = 0.0
    for i in range(1, n):
        y = i * 1.0
        x = y / 2.0
        k = 30
        while k > 0:
            k -= 1
            x = (x + y / x) / 2.0
        s += x
    return s
'''

SQRT_INT = '''\
def kernel(n):
    s = 0
    for i in range(1, n):
        y = i * 1000
        x = y // 2 + 1
        k = 30
        while k > 0:
            k -= 1
            x = (x + y // x) // 2
        s += x
    return s
'''

MANDELBROT = '''\
def kernel(n):
    total = 0
    for py in range(n):
        ci = py * 2.0 / n - 1.0
        for px in range(n):
            cr = px * 3.0 / n - 2.0
            zr = 0.0
            zi = 0.0
            it = 0
            while it < 50 and zr * zr + zi * zi <= 4.0:
                t = zr * zr - zi * zi + cr
                zi = 2.0 * zr * zi + ci
                zr = t
                it += 1
            total += it
    return total
'''

FIB_CALLS = '''\
def f(a, b):
    return (a * 3 + b * 7 + 1) % 1000003


def kernel(n):
    a = 1
    b = 2
    for i in range(n):
        c = f(a, b)
        a = b
        b = c
    return b
'''

FIB_REC = '''\
def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


def kernel(n):
    return fib(n)
'''

# Sun, Jupiter and Saturn (the constants of the Computer Language Benchmarks Game, in
# units where the sun's mass is 4 pi^2), each body's position, velocity and mass in scalars.
NBODY_SCALARS = '''\
import math


def kernel(n):
    x1 = 0.0
    y1 = 0.0
    z1 = 0.0
    vx1 = 0.0
    vy1 = 0.0
    vz1 = 0.0
    m1 = 39.47841760435743
    x2 = 4.84143144246472090
    y2 = -1.16032004402742839
    z2 = -0.103622044471123109
    vx2 = 0.606326392995832
    vy2 = 2.81198684491626
    vz2 = -0.02521836165988763
    m2 = 0.03769367487038949
    x3 = 8.34336671824457987
    y3 = 4.12479856412430479
    z3 = -0.403523417114321381
    vx3 = -1.0107743461787924
    vy3 = 1.8256623712304119
    vz3 = 0.008415761376584154
    m3 = 0.011286326131968767
    dt = 0.01
    for step in range(n):
        dx = x1 - x2
        dy = y1 - y2
        dz = z1 - z2
        d2 = dx * dx + dy * dy + dz * dz
        mag = dt / (d2 * math.sqrt(d2))
        vx1 -= dx * m2 * mag
        vy1 -= dy * m2 * mag
        vz1 -= dz * m2 * mag
        vx2 += dx * m1 * mag
        vy2 += dy * m1 * mag
        vz2 += dz * m1 * mag
        dx = x1 - x3
        dy = y1 - y3
        dz = z1 - z3
        d2 = dx * dx + dy * dy + dz * dz
        mag = dt / (d2 * math.sqrt(d2))
        vx1 -= dx * m3 * mag
        vy1 -= dy * m3 * mag
        vz1 -= dz * m3 * mag
        vx3 += dx * m1 * mag
        vy3 += dy * m1 * mag
        vz3 += dz * m1 * mag
        dx = x2 - x3
        dy = y2 - y3
        dz = z2 - z3
        d2 = dx * dx + dy * dy + dz * dz
        mag = dt / (d2 * math.sqrt(d2))
        vx2 -= dx * m3 * mag
        vy2 -= dy * m3 * mag
        vz2 -= dz * m3 * mag
        vx3 += dx * m2 * mag
        vy3 += dy * m2 * mag
        vz3 += dz * m2 * mag
        x1 += dt * vx1
        y1 += dt * vy1
        z1 += dt * vz1
        x2 += dt * vx2
        y2 += dt * vy2
        z2 += dt * vz2
        x3 += dt * vx3
        y3 += dt * vy3
        z3 += dt * vz3
    return x1 + y1 + z1 + x2 + y2 + z2 + x3 + y3 + z3
'''


def suite() -> HotSuite:
    return HotSuite("hot", "numeric kernels, hot: CPython, jitnb, PyPy and C side by side", [
        Kernel("int_loop", INT_LOOP, 500_000, smoke_arg=3_000,
               description="s += (i * i) % 7 over range(n)"),
        Kernel("sqrt_float", SQRT_FLOAT, 20_000, smoke_arg=200,
               description="30 Newton steps x = (x + y / x) / 2.0 for each y = 1.0 .. n-1, summed"),
        Kernel("sqrt_int", SQRT_INT, 20_000, smoke_arg=200,
               description="the same with // on ints, y = 1000 .. 1000 (n-1)"),
        Kernel("mandelbrot", MANDELBROT, 110, smoke_arg=20,
               description="escape times on an n x n grid, at most 50 iterations, summed"),
        Kernel("fib_calls", FIB_CALLS, 250_000, smoke_arg=3_000,
               description="a range loop calling f(a, b), a small arithmetic function"),
        Kernel("fib_rec", FIB_REC, 27, smoke_arg=12,
               description="recursive fib(n): calls only, no loop"),
        Kernel("nbody_scalars", NBODY_SCALARS, 30_000, smoke_arg=500,
               description="3 bodies in 27 float locals, n steps of dt = 0.01"),
    ] + dls.kernels())


def smoke_suite() -> HotSuite:
    """One tiny kernel that gets hot and compiled at once (tests/test_bench_smoke.py)."""
    return HotSuite("hot-smoke", "one tiny hot kernel, for checking the hot suite's machinery", [
        Kernel("tiny_int_loop", INT_LOOP, 3_000, c_name="int_loop",
               description="int_loop with n = 3000"),
    ])
