/* dilate3x3: see DILATE3X3 in bench/suites/dls.py; pymax keeps the first of equal values,
 * as Python's max does. */
#define KERNEL_FLOAT
#include "harness.h"
#include "image.h"

static inline double pymax(double m, double v)
{
    return v > m ? v : m;
}

static void dilate3x3(const double *a, double *b, long long w, long long h)
{
    for (long long y = 1; y < h - 1; y++)
        for (long long x = 1; x < w - 1; x++) {
            long long i = y * w + x;
            double m = a[i - w - 1];
            m = pymax(m, a[i - w]);
            m = pymax(m, a[i - w + 1]);
            m = pymax(m, a[i - 1]);
            m = pymax(m, a[i]);
            m = pymax(m, a[i + 1]);
            m = pymax(m, a[i + w - 1]);
            m = pymax(m, a[i + w]);
            m = pymax(m, a[i + w + 1]);
            b[i] = m;
        }
}

result_t kernel(long long n)
{
    double *a = make_image(n, n);
    double *b = calloc((size_t)(n * n), sizeof(double));
    dilate3x3(a, b, n, n);
    double s = checksum(b, n * n);
    free(a);
    free(b);
    return s;
}
