/* mandelbrot: see MANDELBROT in bench/suites/hot.py. */
#include "harness.h"

result_t kernel(long long n)
{
    long long total = 0;
    for (long long py = 0; py < n; py++) {
        double ci = (double)py * 2.0 / (double)n - 1.0;
        for (long long px = 0; px < n; px++) {
            double cr = (double)px * 3.0 / (double)n - 2.0;
            double zr = 0.0;
            double zi = 0.0;
            long long it = 0;
            while (it < 50 && zr * zr + zi * zi <= 4.0) {
                double t = zr * zr - zi * zi + cr;
                zi = 2.0 * zr * zi + ci;
                zr = t;
                it += 1;
            }
            total += it;
        }
    }
    return total;
}
