/* spectral_norm: see SPECTRAL_NORM in bench/suites/dls.py. */
#define KERNEL_FLOAT
#include "harness.h"

static inline double eval_a(long long i, long long j)
{
    return 1.0 / (double)((i + j) * (i + j + 1) / 2 + i + 1);
}

static void mult_av(const double *v, double *out, long long n)
{
    for (long long i = 0; i < n; i++) {
        double s = 0.0;
        for (long long j = 0; j < n; j++)
            s += eval_a(i, j) * v[j];
        out[i] = s;
    }
}

static void mult_atv(const double *v, double *out, long long n)
{
    for (long long i = 0; i < n; i++) {
        double s = 0.0;
        for (long long j = 0; j < n; j++)
            s += eval_a(j, i) * v[j];
        out[i] = s;
    }
}

static void mult_atav(const double *v, double *out, double *tmp, long long n)
{
    mult_av(v, tmp, n);
    mult_atv(tmp, out, n);
}

result_t kernel(long long n)
{
    double *u = malloc(sizeof(double) * (size_t)n);
    double *v = calloc((size_t)n, sizeof(double));
    double *tmp = calloc((size_t)n, sizeof(double));
    for (long long i = 0; i < n; i++)
        u[i] = 1.0;
    for (int it = 0; it < 10; it++) {
        mult_atav(u, v, tmp, n);
        mult_atav(v, u, tmp, n);
    }
    double vbv = 0.0, vv = 0.0;
    for (long long i = 0; i < n; i++) {
        vbv += u[i] * v[i];
        vv += v[i] * v[i];
    }
    free(u);
    free(v);
    free(tmp);
    return sqrt(vbv / vv);
}
