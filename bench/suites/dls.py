"""The DLS 2012 kernel set ("Loop-aware optimizations in PyPy's tracing JIT"), notebook-sized.

Written the way a notebook user without numpy would: ``array.array`` buffers of
``'d'`` and ``'i'``, 2-D data as a flat array with a width, plain functions.  The
paper's class-based flavours (``Fix16``, an ``Array2D`` indexed by ``(x, y)``
tuples, a ``Random`` object) are extra kernels computing the very same numbers,
so they share the C version of their flat twin (``c_name``).  Pseudo-random data
comes from one small LCG, ``seed = (seed * 1103515245 + 12345) % 2**31``, which
C reproduces exactly.  Each kernel returns a checksum (an int or a float), with
every float operation in the same order as in bench/c/<name>.c, so the results
match bit for bit.
"""
from __future__ import annotations

from ..hot import Kernel

# -- sqrt on a fixed-point class: Newton's method, as SQRT_INT and SQRT_FLOAT in hot.py ----------
SQRT_FIX16 = '''\
class Fix16:
    """A 16.16 fixed-point number: the int `raw` is the value times 65536."""

    def __init__(self, raw):
        self.raw = raw

    def __add__(self, other):
        return Fix16(self.raw + other.raw)

    def __sub__(self, other):
        return Fix16(self.raw - other.raw)

    def __mul__(self, other):
        return Fix16((self.raw * other.raw) >> 16)

    def __truediv__(self, other):
        return Fix16((self.raw << 16) // other.raw)


def kernel(n):
    two = Fix16(2 << 16)
    s = 0
    for i in range(1, n):
        y = Fix16(i << 16)
        x = y / two
        k = 30
        while k > 0:
            k -= 1
            x = (x + y / x) / two
        s += x.raw
    return s
'''

# -- 1-D convolutions ---------------------------------------------------------------------------
CONV3 = '''\
from array import array


def conv3(a, k, b):
    for i in range(len(b)):
        b[i] = k[2] * a[i] + k[1] * a[i + 1] + k[0] * a[i + 2]


def kernel(n):
    a = array("d", [0.0]) * n
    for i in range(n):
        a[i] = (i % 23) * 0.125 - 1.0
    k = array("d", [0.25, -0.5, 1.5])
    b = array("d", [0.0]) * (n - 2)
    for rep in range(5):
        conv3(a, k, b)
    s = 0.0
    for v in b:
        s += v
    return s
'''

CONV5 = '''\
from array import array


def conv5(a, k, b):
    for i in range(len(b)):
        b[i] = k[4] * a[i] + k[3] * a[i + 1] + k[2] * a[i + 2] + k[1] * a[i + 3] + k[0] * a[i + 4]


def kernel(n):
    a = array("d", [0.0]) * n
    for i in range(n):
        a[i] = (i % 23) * 0.125 - 1.0
    k = array("d", [0.25, -0.5, 1.5, 0.75, -0.125])
    b = array("d", [0.0]) * (n - 4)
    for rep in range(5):
        conv5(a, k, b)
    s = 0.0
    for v in b:
        s += v
    return s
'''

# -- 2-D image kernels on an n x n image stored row by row in a flat array ------------------------
IMAGE_SETUP = '''\
def make_image(w, h):
    a = array("d", [0.0]) * (w * h)
    for i in range(w * h):
        a[i] = ((i * 7) % 23) * 0.125
    return a


def checksum(b):
    s = 0.0
    for v in b:
        s += v
    return s
'''

CONV3X3 = '''\
from array import array


''' + IMAGE_SETUP + '''

def conv3x3(a, k, b, w, h):
    for y in range(1, h - 1):
        for x in range(1, w - 1):
            i = y * w + x
            b[i] = (k[8] * a[i - w - 1] + k[7] * a[i - w] + k[6] * a[i - w + 1]
                    + k[5] * a[i - 1] + k[4] * a[i] + k[3] * a[i + 1]
                    + k[2] * a[i + w - 1] + k[1] * a[i + w] + k[0] * a[i + w + 1])


def kernel(n):
    a = make_image(n, n)
    b = array("d", [0.0]) * (n * n)
    k = array("d", [0.0]) * 9
    for j in range(9):
        k[j] = (j + 1) * 0.1 - 0.45
    conv3x3(a, k, b, n, n)
    return checksum(b)
'''

DILATE3X3 = '''\
from array import array


''' + IMAGE_SETUP + '''

def dilate3x3(a, b, w, h):
    for y in range(1, h - 1):
        for x in range(1, w - 1):
            i = y * w + x
            b[i] = max(a[i - w - 1], a[i - w], a[i - w + 1],
                       a[i - 1], a[i], a[i + 1],
                       a[i + w - 1], a[i + w], a[i + w + 1])


def kernel(n):
    a = make_image(n, n)
    b = array("d", [0.0]) * (n * n)
    dilate3x3(a, b, n, n)
    return checksum(b)
'''

SOBEL = '''\
import math
from array import array


''' + IMAGE_SETUP + '''

def sobel_magnitude(a, b, w, h):
    for y in range(1, h - 1):
        for x in range(1, w - 1):
            i = y * w + x
            dx = (-1.0 * a[i - w - 1] + 1.0 * a[i - w + 1]
                  + -2.0 * a[i - 1] + 2.0 * a[i + 1]
                  + -1.0 * a[i + w - 1] + 1.0 * a[i + w + 1])
            dy = (-1.0 * a[i - w - 1] - 2.0 * a[i - w] - 1.0 * a[i - w + 1]
                  + 1.0 * a[i + w - 1] + 2.0 * a[i + w] + 1.0 * a[i + w + 1])
            b[i] = math.sqrt(dx * dx + dy * dy) / 4.0


def kernel(n):
    a = make_image(n, n)
    b = array("d", [0.0]) * (n * n)
    sobel_magnitude(a, b, n, n)
    return checksum(b)
'''

# -- the paper's Array2D: a class indexed by (x, y) tuples --------------------------------------
ARRAY2D = '''\
from array import array


class Array2D:
    def __init__(self, w, h):
        self.width = w
        self.height = h
        self.data = array("d", [0.0]) * (w * h)

    def __getitem__(self, xy):
        x, y = xy
        return self.data[y * self.width + x]

    def __setitem__(self, xy, value):
        x, y = xy
        self.data[y * self.width + x] = value


def make_image(w, h):
    a = Array2D(w, h)
    for y in range(h):
        for x in range(w):
            a[x, y] = (((y * w + x) * 7) % 23) * 0.125
    return a


def checksum(b):
    s = 0.0
    for y in range(b.height):
        for x in range(b.width):
            s += b[x, y]
    return s
'''

CONV3X3_CLASS = ARRAY2D + '''

def conv3x3(a, k, b):
    for y in range(1, a.height - 1):
        for x in range(1, a.width - 1):
            b[x, y] = (k[2, 2] * a[x - 1, y - 1] + k[1, 2] * a[x, y - 1] + k[0, 2] * a[x + 1, y - 1]
                       + k[2, 1] * a[x - 1, y] + k[1, 1] * a[x, y] + k[0, 1] * a[x + 1, y]
                       + k[2, 0] * a[x - 1, y + 1] + k[1, 0] * a[x, y + 1]
                       + k[0, 0] * a[x + 1, y + 1])


def kernel(n):
    a = make_image(n, n)
    b = Array2D(n, n)
    k = Array2D(3, 3)
    for y in range(3):
        for x in range(3):
            k[x, y] = (y * 3 + x + 1) * 0.1 - 0.45
    conv3x3(a, k, b)
    return checksum(b)
'''

SOBEL_CLASS = 'import math\n' + ARRAY2D + '''

def sobel_magnitude(a, b):
    for y in range(1, a.height - 1):
        for x in range(1, a.width - 1):
            dx = (-1.0 * a[x - 1, y - 1] + 1.0 * a[x + 1, y - 1]
                  + -2.0 * a[x - 1, y] + 2.0 * a[x + 1, y]
                  + -1.0 * a[x - 1, y + 1] + 1.0 * a[x + 1, y + 1])
            dy = (-1.0 * a[x - 1, y - 1] - 2.0 * a[x, y - 1] - 1.0 * a[x + 1, y - 1]
                  + 1.0 * a[x - 1, y + 1] + 2.0 * a[x, y + 1] + 1.0 * a[x + 1, y + 1])
            b[x, y] = math.sqrt(dx * dx + dy * dy) / 4.0


def kernel(n):
    a = make_image(n, n)
    b = Array2D(n, n)
    sobel_magnitude(a, b)
    return checksum(b)
'''

# -- SciMark: SOR, SparseMatMult, MonteCarlo, LU, FFT --------------------------------------------
SOR = '''\
from array import array


def sor(omega, g, w, h, cycles):
    omega_over_four = omega * 0.25
    one_minus_omega = 1.0 - omega
    for p in range(cycles):
        for y in range(1, h - 1):
            for x in range(1, w - 1):
                i = y * w + x
                g[i] = (omega_over_four * (g[i - w] + g[i + w] + g[i - 1] + g[i + 1])
                        + one_minus_omega * g[i])


def kernel(n):
    g = array("d", [0.0]) * (n * n)
    seed = 4711
    for i in range(n * n):
        seed = (seed * 1103515245 + 12345) % 2147483648
        g[i] = seed / 2147483648.0
    sor(1.25, g, n, n, 10)
    s = 0.0
    for v in g:
        s += v
    return s
'''

SOR_CLASS = ARRAY2D + '''

def sor(omega, g, cycles):
    omega_over_four = omega * 0.25
    one_minus_omega = 1.0 - omega
    for p in range(cycles):
        for y in range(1, g.height - 1):
            for x in range(1, g.width - 1):
                g[x, y] = (omega_over_four * (g[x, y - 1] + g[x, y + 1] + g[x - 1, y] + g[x + 1, y])
                           + one_minus_omega * g[x, y])


def kernel(n):
    g = Array2D(n, n)
    seed = 4711
    for y in range(n):
        for x in range(n):
            seed = (seed * 1103515245 + 12345) % 2147483648
            g[x, y] = seed / 2147483648.0
    sor(1.25, g, 10)
    return checksum(g)
'''

SPARSE_MAT_MULT = '''\
from array import array


def matmult(y, val, row, col, x):
    for r in range(len(y)):
        s = 0.0
        for i in range(row[r], row[r + 1]):
            s += x[col[i]] * val[i]
        y[r] = s


def kernel(n):
    nz = 8
    val = array("d", [0.0]) * (n * nz)
    col = array("i", [0]) * (n * nz)
    row = array("i", [0]) * (n + 1)
    x = array("d", [0.0]) * n
    y = array("d", [0.0]) * n
    seed = 99
    for i in range(n):
        seed = (seed * 1103515245 + 12345) % 2147483648
        x[i] = seed / 2147483648.0
    for r in range(n):
        row[r] = r * nz
        for j in range(nz):
            seed = (seed * 1103515245 + 12345) % 2147483648
            col[r * nz + j] = seed % n
            seed = (seed * 1103515245 + 12345) % 2147483648
            val[r * nz + j] = seed / 2147483648.0
    row[n] = n * nz
    for rep in range(20):
        matmult(y, val, row, col, x)
    s = 0.0
    for v in y:
        s += v
    return s
'''

MONTE_CARLO = '''\
def next_seed(seed):
    return (seed * 1103515245 + 12345) % 2147483648


def kernel(n):
    seed = 113
    under = 0
    for i in range(n):
        seed = next_seed(seed)
        x = seed / 2147483648.0
        seed = next_seed(seed)
        y = seed / 2147483648.0
        if x * x + y * y <= 1.0:
            under += 1
    return under / n * 4.0
'''

MONTE_CARLO_CLASS = '''\
class Random:
    """A linear congruential generator."""

    def __init__(self, seed):
        self.seed = seed

    def next_double(self):
        self.seed = (self.seed * 1103515245 + 12345) % 2147483648
        return self.seed / 2147483648.0


def kernel(n):
    rng = Random(113)
    under = 0
    for i in range(n):
        x = rng.next_double()
        y = rng.next_double()
        if x * x + y * y <= 1.0:
            under += 1
    return under / n * 4.0
'''

LU = '''\
from array import array


def lu_factor(a, n, pivot):
    """LU decomposition with partial pivoting of the n x n matrix a, in place."""
    for j in range(n):
        jp = j
        t = abs(a[j * n + j])
        for i in range(j + 1, n):
            ab = abs(a[i * n + j])
            if ab > t:
                jp = i
                t = ab
        pivot[j] = jp
        if a[jp * n + j] == 0.0:
            return 1
        if jp != j:
            for k in range(n):
                a[j * n + k], a[jp * n + k] = a[jp * n + k], a[j * n + k]
        if j < n - 1:
            recp = 1.0 / a[j * n + j]
            for k in range(j + 1, n):
                a[k * n + j] *= recp
            for ii in range(j + 1, n):
                aij = a[ii * n + j]
                for jj in range(j + 1, n):
                    a[ii * n + jj] -= aij * a[j * n + jj]
    return 0


def kernel(n):
    a = array("d", [0.0]) * (n * n)
    pivot = array("i", [0]) * n
    seed = 2012
    for i in range(n * n):
        seed = (seed * 1103515245 + 12345) % 2147483648
        a[i] = seed / 2147483648.0
    status = lu_factor(a, n, pivot)
    s = 0.0
    for v in a:
        s += v
    for p in pivot:
        s += p
    return s + status
'''

FFT = '''\
import math
from array import array


def bitreverse(data):
    n = len(data) // 2
    j = 0
    for i in range(n - 1):
        ii = 2 * i
        jj = 2 * j
        k = n // 2
        if i < j:
            data[ii], data[jj] = data[jj], data[ii]
            data[ii + 1], data[jj + 1] = data[jj + 1], data[ii + 1]
        while k <= j:
            j -= k
            k //= 2
        j += k


def transform(data, direction):
    """In-place radix-2 FFT of len(data) // 2 complex numbers (re, im interleaved)."""
    n = len(data) // 2
    bitreverse(data)
    dual = 1
    while dual < n:
        w_re = 1.0
        w_im = 0.0
        theta = 2.0 * direction * math.pi / (2.0 * dual)
        s = math.sin(theta)
        t = math.sin(theta / 2.0)
        s2 = 2.0 * t * t
        for b in range(0, n, 2 * dual):
            i = 2 * b
            j = 2 * (b + dual)
            wd_re = data[j]
            wd_im = data[j + 1]
            data[j] = data[i] - wd_re
            data[j + 1] = data[i + 1] - wd_im
            data[i] += wd_re
            data[i + 1] += wd_im
        for a in range(1, dual):
            tmp_re = w_re - s * w_im - s2 * w_re
            tmp_im = w_im + s * w_re - s2 * w_im
            w_re = tmp_re
            w_im = tmp_im
            for b in range(0, n, 2 * dual):
                i = 2 * (b + a)
                j = 2 * (b + a + dual)
                z_re = data[j]
                z_im = data[j + 1]
                wd_re = w_re * z_re - w_im * z_im
                wd_im = w_re * z_im + w_im * z_re
                data[j] = data[i] - wd_re
                data[j + 1] = data[i + 1] - wd_im
                data[i] += wd_re
                data[i + 1] += wd_im
        dual *= 2


def kernel(n):
    data = array("d", [0.0]) * (2 * n)
    seed = 1024
    for i in range(2 * n):
        seed = (seed * 1103515245 + 12345) % 2147483648
        data[i] = seed / 2147483648.0
    transform(data, -1)
    transform(data, 1)
    norm = 1.0 / n
    s = 0.0
    for i in range(2 * n):
        data[i] *= norm
        s += data[i]
    return s
'''

# -- n-body (five bodies, arrays of coordinates) and spectral norm ------------------------------
NBODY = '''\
import math
from array import array

PI = 3.14159265358979323
SOLAR_MASS = 4 * PI * PI
DAYS_PER_YEAR = 365.24


def make_bodies():
    """Sun, Jupiter, Saturn, Uranus, Neptune: positions, velocities, masses."""
    x = array("d", [0.0, 4.84143144246472090, 8.34336671824457987,
                    12.8943695621391310, 15.3796971148509165])
    y = array("d", [0.0, -1.16032004402742839, 4.12479856412430479,
                    -15.1111514016986312, -25.9193146099879641])
    z = array("d", [0.0, -0.103622044471123109, -0.403523417114321381,
                    -0.223307578892655734, 0.179258772950371181])
    vx = array("d", [0.0, 1.66007664274403694e-03 * DAYS_PER_YEAR,
                     -2.76742510726862411e-03 * DAYS_PER_YEAR,
                     2.96460137564761618e-03 * DAYS_PER_YEAR,
                     2.68067772490389322e-03 * DAYS_PER_YEAR])
    vy = array("d", [0.0, 7.69901118419740425e-03 * DAYS_PER_YEAR,
                     4.99852801234917238e-03 * DAYS_PER_YEAR,
                     2.37847173959480950e-03 * DAYS_PER_YEAR,
                     1.62824170038242295e-03 * DAYS_PER_YEAR])
    vz = array("d", [0.0, -6.90460016972063023e-05 * DAYS_PER_YEAR,
                     2.30417297573763929e-05 * DAYS_PER_YEAR,
                     -2.96589568540237556e-05 * DAYS_PER_YEAR,
                     -9.51592254519715870e-05 * DAYS_PER_YEAR])
    m = array("d", [SOLAR_MASS, 9.54791938424326609e-04 * SOLAR_MASS,
                    2.85885980666130812e-04 * SOLAR_MASS,
                    4.36624404335156298e-05 * SOLAR_MASS,
                    5.15138902046611451e-05 * SOLAR_MASS])
    return x, y, z, vx, vy, vz, m


def advance(x, y, z, vx, vy, vz, m, dt, steps):
    nb = len(m)
    for step in range(steps):
        for i in range(nb):
            for j in range(i + 1, nb):
                dx = x[i] - x[j]
                dy = y[i] - y[j]
                dz = z[i] - z[j]
                d2 = dx * dx + dy * dy + dz * dz
                mag = dt / (d2 * math.sqrt(d2))
                mj = m[j] * mag
                vx[i] -= dx * mj
                vy[i] -= dy * mj
                vz[i] -= dz * mj
                mi = m[i] * mag
                vx[j] += dx * mi
                vy[j] += dy * mi
                vz[j] += dz * mi
        for i in range(nb):
            x[i] += dt * vx[i]
            y[i] += dt * vy[i]
            z[i] += dt * vz[i]


def energy(x, y, z, vx, vy, vz, m):
    e = 0.0
    nb = len(m)
    for i in range(nb):
        e += 0.5 * m[i] * (vx[i] * vx[i] + vy[i] * vy[i] + vz[i] * vz[i])
        for j in range(i + 1, nb):
            dx = x[i] - x[j]
            dy = y[i] - y[j]
            dz = z[i] - z[j]
            e -= (m[i] * m[j]) / math.sqrt(dx * dx + dy * dy + dz * dz)
    return e


def kernel(n):
    x, y, z, vx, vy, vz, m = make_bodies()
    px = 0.0
    py = 0.0
    pz = 0.0
    for i in range(len(m)):
        px += vx[i] * m[i]
        py += vy[i] * m[i]
        pz += vz[i] * m[i]
    vx[0] = -px / SOLAR_MASS
    vy[0] = -py / SOLAR_MASS
    vz[0] = -pz / SOLAR_MASS
    advance(x, y, z, vx, vy, vz, m, 0.01, n)
    return energy(x, y, z, vx, vy, vz, m)
'''

SPECTRAL_NORM = '''\
import math
from array import array


def eval_a(i, j):
    return 1.0 / ((i + j) * (i + j + 1) // 2 + i + 1)


def mult_av(v, out, n):
    for i in range(n):
        s = 0.0
        for j in range(n):
            s += eval_a(i, j) * v[j]
        out[i] = s


def mult_atv(v, out, n):
    for i in range(n):
        s = 0.0
        for j in range(n):
            s += eval_a(j, i) * v[j]
        out[i] = s


def mult_atav(v, out, tmp, n):
    mult_av(v, tmp, n)
    mult_atv(tmp, out, n)


def kernel(n):
    u = array("d", [1.0]) * n
    v = array("d", [0.0]) * n
    tmp = array("d", [0.0]) * n
    for it in range(10):
        mult_atav(u, v, tmp, n)
        mult_atav(v, u, tmp, n)
    vbv = 0.0
    vv = 0.0
    for i in range(n):
        vbv += u[i] * v[i]
        vv += v[i] * v[i]
    return math.sqrt(vbv / vv)
'''


def kernels() -> list[Kernel]:
    """The set, in the paper's order, then n-body and spectral norm; ``smoke_arg`` is a tiny n."""
    return [
        Kernel("sqrt_fix16", SQRT_FIX16, 1_000, smoke_arg=40,
               description="sqrt_int on a Fix16 class (16.16 fixed point, operator methods)"),
        Kernel("conv3", CONV3, 20_000, smoke_arg=300,
               description="1-D convolution, 3 weights, 5 passes over n doubles"),
        Kernel("conv5", CONV5, 16_000, smoke_arg=300,
               description="1-D convolution, 5 weights, 5 passes over n doubles"),
        Kernel("conv3x3", CONV3X3, 170, smoke_arg=20,
               description="3x3 convolution of an n x n image (flat array with a width)"),
        Kernel("conv3x3_class", CONV3X3_CLASS, 100, smoke_arg=20, c_name="conv3x3",
               description="conv3x3 on Array2D objects indexed by (x, y) tuples"),
        Kernel("dilate3x3", DILATE3X3, 170, smoke_arg=20,
               description="3x3 dilation (max of 9) of an n x n image"),
        Kernel("sobel", SOBEL, 160, smoke_arg=20,
               description="Sobel gradient magnitude of an n x n image, math.sqrt"),
        Kernel("sobel_class", SOBEL_CLASS, 100, smoke_arg=20, c_name="sobel",
               description="sobel on Array2D objects indexed by (x, y) tuples"),
        Kernel("sor", SOR, 90, smoke_arg=12,
               description="SciMark SOR, 10 sweeps over an n x n grid"),
        Kernel("sor_class", SOR_CLASS, 60, smoke_arg=12, c_name="sor",
               description="SOR on an Array2D object indexed by (x, y) tuples"),
        Kernel("sparse_mat_mult", SPARSE_MAT_MULT, 1_000, smoke_arg=60,
               description="SciMark SparseMatMult: CSR, n rows, 8 nonzeros a row, 20 products"),
        Kernel("monte_carlo", MONTE_CARLO, 60_000, smoke_arg=1_000,
               description="SciMark MonteCarlo: pi from n points of an LCG written in Python"),
        Kernel("monte_carlo_class", MONTE_CARLO_CLASS, 60_000, smoke_arg=1_000,
               c_name="monte_carlo", description="monte_carlo with the LCG as a Random class"),
        Kernel("lu", LU, 80, smoke_arg=10,
               description="SciMark LU: partial-pivoting factorisation of an n x n matrix"),
        Kernel("fft", FFT, 4096, smoke_arg=64,
               description="SciMark FFT: forward and inverse radix-2 FFT of n complex numbers"),
        Kernel("nbody", NBODY, 2_000, smoke_arg=30,
               description="five bodies in array.array columns, n steps of 0.01, energy"),
        Kernel("spectral_norm", SPECTRAL_NORM, 64, smoke_arg=8,
               description="spectral norm of the infinite matrix A, n x n, 10 power steps"),
    ]
