/* monte_carlo (and monte_carlo_class): see MONTE_CARLO in bench/suites/dls.py. */
#define KERNEL_FLOAT
#include "harness.h"
#include "lcg.h"

result_t kernel(long long n)
{
    long long seed = 113;
    long long under = 0;
    for (long long i = 0; i < n; i++) {
        seed = lcg_next(seed);
        double x = (double)seed / 2147483648.0;
        seed = lcg_next(seed);
        double y = (double)seed / 2147483648.0;
        if (x * x + y * y <= 1.0)
            under += 1;
    }
    return (double)under / (double)n * 4.0;
}
