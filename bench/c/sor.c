/* sor (and sor_class): see SOR in bench/suites/dls.py. */
#define KERNEL_FLOAT
#include "harness.h"
#include "lcg.h"

static void sor(double omega, double *g, long long w, long long h, int cycles)
{
    double omega_over_four = omega * 0.25;
    double one_minus_omega = 1.0 - omega;
    for (int p = 0; p < cycles; p++)
        for (long long y = 1; y < h - 1; y++)
            for (long long x = 1; x < w - 1; x++) {
                long long i = y * w + x;
                g[i] = (omega_over_four * (g[i - w] + g[i + w] + g[i - 1] + g[i + 1])
                        + one_minus_omega * g[i]);
            }
}

result_t kernel(long long n)
{
    double *g = malloc(sizeof(double) * (size_t)(n * n));
    long long seed = 4711;
    for (long long i = 0; i < n * n; i++) {
        seed = lcg_next(seed);
        g[i] = (double)seed / 2147483648.0;
    }
    sor(1.25, g, n, n, 10);
    double s = 0.0;
    for (long long i = 0; i < n * n; i++)
        s += g[i];
    free(g);
    return s;
}
