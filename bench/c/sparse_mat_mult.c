/* sparse_mat_mult: see SPARSE_MAT_MULT in bench/suites/dls.py. */
#define KERNEL_FLOAT
#include "harness.h"
#include "lcg.h"

static void matmult(double *y, long long m, const double *val, const int *row, const int *col,
                    const double *x)
{
    for (long long r = 0; r < m; r++) {
        double s = 0.0;
        for (long long i = row[r]; i < row[r + 1]; i++)
            s += x[col[i]] * val[i];
        y[r] = s;
    }
}

result_t kernel(long long n)
{
    const long long nz = 8;
    double *val = malloc(sizeof(double) * (size_t)(n * nz));
    int *col = malloc(sizeof(int) * (size_t)(n * nz));
    int *row = malloc(sizeof(int) * (size_t)(n + 1));
    double *x = malloc(sizeof(double) * (size_t)n);
    double *y = calloc((size_t)n, sizeof(double));
    long long seed = 99;
    for (long long i = 0; i < n; i++) {
        seed = lcg_next(seed);
        x[i] = (double)seed / 2147483648.0;
    }
    for (long long r = 0; r < n; r++) {
        row[r] = (int)(r * nz);
        for (long long j = 0; j < nz; j++) {
            seed = lcg_next(seed);
            col[r * nz + j] = (int)(seed % n);
            seed = lcg_next(seed);
            val[r * nz + j] = (double)seed / 2147483648.0;
        }
    }
    row[n] = (int)(n * nz);
    for (int rep = 0; rep < 20; rep++)
        matmult(y, n, val, row, col, x);
    double s = 0.0;
    for (long long i = 0; i < n; i++)
        s += y[i];
    free(val);
    free(col);
    free(row);
    free(x);
    free(y);
    return s;
}
