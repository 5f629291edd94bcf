/* sobel (and sobel_class): see SOBEL in bench/suites/dls.py. */
#define KERNEL_FLOAT
#include "harness.h"
#include "image.h"

static void sobel_magnitude(const double *a, double *b, long long w, long long h)
{
    for (long long y = 1; y < h - 1; y++)
        for (long long x = 1; x < w - 1; x++) {
            long long i = y * w + x;
            double dx = (-1.0 * a[i - w - 1] + 1.0 * a[i - w + 1]
                         + -2.0 * a[i - 1] + 2.0 * a[i + 1]
                         + -1.0 * a[i + w - 1] + 1.0 * a[i + w + 1]);
            double dy = (-1.0 * a[i - w - 1] - 2.0 * a[i - w] - 1.0 * a[i - w + 1]
                         + 1.0 * a[i + w - 1] + 2.0 * a[i + w] + 1.0 * a[i + w + 1]);
            b[i] = sqrt(dx * dx + dy * dy) / 4.0;
        }
}

result_t kernel(long long n)
{
    double *a = make_image(n, n);
    double *b = calloc((size_t)(n * n), sizeof(double));
    sobel_magnitude(a, b, n, n);
    double s = checksum(b, n * n);
    free(a);
    free(b);
    return s;
}
