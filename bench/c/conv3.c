/* conv3: see CONV3 in bench/suites/dls.py. */
#define KERNEL_FLOAT
#include "harness.h"

static void conv3(const double *a, const double *k, double *b, long long nb)
{
    for (long long i = 0; i < nb; i++)
        b[i] = k[2] * a[i] + k[1] * a[i + 1] + k[0] * a[i + 2];
}

result_t kernel(long long n)
{
    double *a = malloc(sizeof(double) * (size_t)n);
    double *b = calloc((size_t)(n - 2), sizeof(double));
    const double k[3] = {0.25, -0.5, 1.5};
    for (long long i = 0; i < n; i++)
        a[i] = (double)(i % 23) * 0.125 - 1.0;
    for (int rep = 0; rep < 5; rep++)
        conv3(a, k, b, n - 2);
    double s = 0.0;
    for (long long i = 0; i < n - 2; i++)
        s += b[i];
    free(a);
    free(b);
    return s;
}
