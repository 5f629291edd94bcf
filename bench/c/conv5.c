/* conv5: see CONV5 in bench/suites/dls.py. */
#define KERNEL_FLOAT
#include "harness.h"

static void conv5(const double *a, const double *k, double *b, long long nb)
{
    for (long long i = 0; i < nb; i++)
        b[i] = k[4] * a[i] + k[3] * a[i + 1] + k[2] * a[i + 2] + k[1] * a[i + 3] + k[0] * a[i + 4];
}

result_t kernel(long long n)
{
    double *a = malloc(sizeof(double) * (size_t)n);
    double *b = calloc((size_t)(n - 4), sizeof(double));
    const double k[5] = {0.25, -0.5, 1.5, 0.75, -0.125};
    for (long long i = 0; i < n; i++)
        a[i] = (double)(i % 23) * 0.125 - 1.0;
    for (int rep = 0; rep < 5; rep++)
        conv5(a, k, b, n - 4);
    double s = 0.0;
    for (long long i = 0; i < n - 4; i++)
        s += b[i];
    free(a);
    free(b);
    return s;
}
