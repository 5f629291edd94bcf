/* sqrt_float: see SQRT_FLOAT in bench/suites/hot.py. */
#define KERNEL_FLOAT
#include "harness.h"

result_t kernel(long long n)
{
    double s = 0.0;
    for (long long i = 1; i < n; i++) {
        double y = (double)i * 1.0;
        double x = y / 2.0;
        long long k = 30;
        while (k > 0) {
            k -= 1;
            x = (x + y / x) / 2.0;
        }
        s += x;
    }
    return s;
}
