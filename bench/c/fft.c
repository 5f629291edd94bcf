/* fft: see FFT in bench/suites/dls.py (n must be a power of two). */
#define KERNEL_FLOAT
#include "harness.h"
#include "lcg.h"

#define PY_PI 3.141592653589793

static void bitreverse(double *data, long long n)
{
    long long j = 0;
    for (long long i = 0; i < n - 1; i++) {
        long long ii = 2 * i, jj = 2 * j, k = n / 2;
        if (i < j) {
            double t = data[ii];
            data[ii] = data[jj];
            data[jj] = t;
            t = data[ii + 1];
            data[ii + 1] = data[jj + 1];
            data[jj + 1] = t;
        }
        while (k <= j) {
            j -= k;
            k /= 2;
        }
        j += k;
    }
}

static void transform(double *data, long long n, int direction)
{
    bitreverse(data, n);
    for (long long dual = 1; dual < n; dual *= 2) {
        double w_re = 1.0, w_im = 0.0;
        double theta = 2.0 * (double)direction * PY_PI / (2.0 * (double)dual);
        double s = sin(theta);
        double t = sin(theta / 2.0);
        double s2 = 2.0 * t * t;
        for (long long b = 0; b < n; b += 2 * dual) {
            long long i = 2 * b, j = 2 * (b + dual);
            double wd_re = data[j], wd_im = data[j + 1];
            data[j] = data[i] - wd_re;
            data[j + 1] = data[i + 1] - wd_im;
            data[i] += wd_re;
            data[i + 1] += wd_im;
        }
        for (long long a = 1; a < dual; a++) {
            double tmp_re = w_re - s * w_im - s2 * w_re;
            double tmp_im = w_im + s * w_re - s2 * w_im;
            w_re = tmp_re;
            w_im = tmp_im;
            for (long long b = 0; b < n; b += 2 * dual) {
                long long i = 2 * (b + a), j = 2 * (b + a + dual);
                double z_re = data[j], z_im = data[j + 1];
                double wd_re = w_re * z_re - w_im * z_im;
                double wd_im = w_re * z_im + w_im * z_re;
                data[j] = data[i] - wd_re;
                data[j + 1] = data[i + 1] - wd_im;
                data[i] += wd_re;
                data[i + 1] += wd_im;
            }
        }
    }
}

result_t kernel(long long n)
{
    double *data = malloc(sizeof(double) * (size_t)(2 * n));
    long long seed = 1024;
    for (long long i = 0; i < 2 * n; i++) {
        seed = lcg_next(seed);
        data[i] = (double)seed / 2147483648.0;
    }
    transform(data, n, -1);
    transform(data, n, 1);
    double norm = 1.0 / (double)n;
    double s = 0.0;
    for (long long i = 0; i < 2 * n; i++) {
        data[i] *= norm;
        s += data[i];
    }
    free(data);
    return s;
}
