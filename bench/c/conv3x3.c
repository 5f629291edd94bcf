/* conv3x3 (and conv3x3_class): see CONV3X3 in bench/suites/dls.py. */
#define KERNEL_FLOAT
#include "harness.h"
#include "image.h"

static void conv3x3(const double *a, const double *k, double *b, long long w, long long h)
{
    for (long long y = 1; y < h - 1; y++)
        for (long long x = 1; x < w - 1; x++) {
            long long i = y * w + x;
            b[i] = (k[8] * a[i - w - 1] + k[7] * a[i - w] + k[6] * a[i - w + 1]
                    + k[5] * a[i - 1] + k[4] * a[i] + k[3] * a[i + 1]
                    + k[2] * a[i + w - 1] + k[1] * a[i + w] + k[0] * a[i + w + 1]);
        }
}

result_t kernel(long long n)
{
    double *a = make_image(n, n);
    double *b = calloc((size_t)(n * n), sizeof(double));
    double k[9];
    for (int j = 0; j < 9; j++)
        k[j] = (double)(j + 1) * 0.1 - 0.45;
    conv3x3(a, k, b, n, n);
    double s = checksum(b, n * n);
    free(a);
    free(b);
    return s;
}
