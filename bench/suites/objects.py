"""Kernels with instances of the cell's own classes, hot (see bench/hot.py).

Operators and methods on small value classes, in the style of the DLS 2012 Fix16 sqrt:
every operation makes a new instance, which jitnb keeps virtual (no allocation in the
trace; fields in registers).
"""
from __future__ import annotations

from ..hot import HotSuite, Kernel

# DLS 2012 sqrt on a 16.16 fixed-point class: 30 Newton steps for each y, the roots summed
SQRT_FIX16 = '''\
class Fix16:
    def __init__(self, raw):
        self.raw = raw

    def __add__(self, other):
        return Fix16(self.raw + other.raw)

    def __truediv__(self, other):
        return Fix16((self.raw << 16) // other.raw)

    def half(self):
        return Fix16(self.raw >> 1)


def kernel(n):
    s = 0
    for i in range(1, n):
        y = Fix16(i << 16)
        x = Fix16((i << 15) + 65536)
        k = 30
        while k > 0:
            k -= 1
            x = (x + y / x).half()
        s += x.raw
    return s
'''

VECTOR = '''\
class Vector:
    def __init__(self, x, y):
        self.x = x
        self.y = y

    def __add__(self, other):
        return Vector(self.x + other.x, self.y + other.y)

    def __mul__(self, k):
        return Vector(self.x * k, self.y * k)

    def dot(self, other):
        return self.x * other.x + self.y * other.y


def kernel(n):
    p = Vector(0.0, 0.0)
    v = Vector(1.0, 0.5)
    e = 0.0
    for i in range(n):
        p = p + v * 0.001
        e += p.dot(v)
    return e
'''


def suite() -> HotSuite:
    return HotSuite("hot-objects", "instances of the cell's classes, hot: CPython, jitnb, PyPy", [
        Kernel("sqrt_fix16", SQRT_FIX16, 3_000,
               description="30 Newton steps on a Fix16 class (+, /, half) for each y, summed"),
        Kernel("vector", VECTOR, 200_000,
               description="p = p + v * 0.001 and e += p.dot(v) on a 2-D Vector class"),
    ])
