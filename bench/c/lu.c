/* lu: see LU in bench/suites/dls.py. */
#define KERNEL_FLOAT
#include "harness.h"
#include "lcg.h"

static int lu_factor(double *a, long long n, int *pivot)
{
    for (long long j = 0; j < n; j++) {
        long long jp = j;
        double t = fabs(a[j * n + j]);
        for (long long i = j + 1; i < n; i++) {
            double ab = fabs(a[i * n + j]);
            if (ab > t) {
                jp = i;
                t = ab;
            }
        }
        pivot[j] = (int)jp;
        if (a[jp * n + j] == 0.0)
            return 1;
        if (jp != j)
            for (long long k = 0; k < n; k++) {
                double tmp = a[jp * n + k];
                a[jp * n + k] = a[j * n + k];
                a[j * n + k] = tmp;
            }
        if (j < n - 1) {
            double recp = 1.0 / a[j * n + j];
            for (long long k = j + 1; k < n; k++)
                a[k * n + j] *= recp;
            for (long long ii = j + 1; ii < n; ii++) {
                double aij = a[ii * n + j];
                for (long long jj = j + 1; jj < n; jj++)
                    a[ii * n + jj] -= aij * a[j * n + jj];
            }
        }
    }
    return 0;
}

result_t kernel(long long n)
{
    double *a = malloc(sizeof(double) * (size_t)(n * n));
    int *pivot = calloc((size_t)n, sizeof(int));
    long long seed = 2012;
    for (long long i = 0; i < n * n; i++) {
        seed = lcg_next(seed);
        a[i] = (double)seed / 2147483648.0;
    }
    int status = lu_factor(a, n, pivot);
    double s = 0.0;
    for (long long i = 0; i < n * n; i++)
        s += a[i];
    for (long long i = 0; i < n; i++)
        s += (double)pivot[i];
    free(a);
    free(pivot);
    return s + (double)status;
}
