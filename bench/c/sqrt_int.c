/* sqrt_int: see SQRT_INT in bench/suites/hot.py (operands stay positive: C's / is Python's //). */
#include "harness.h"

result_t kernel(long long n)
{
    long long s = 0;
    for (long long i = 1; i < n; i++) {
        long long y = i * 1000;
        long long x = y / 2 + 1;
        long long k = 30;
        while (k > 0) {
            k -= 1;
            x = (x + y / x) / 2;
        }
        s += x;
    }
    return s;
}
