/* sqrt_fix16: see SQRT_FIX16 in bench/suites/dls.py (a Fix16 value is its raw int here). */
#include "harness.h"

result_t kernel(long long n)
{
    long long two = 2LL << 16;
    long long s = 0;
    for (long long i = 1; i < n; i++) {
        long long y = i << 16;
        long long x = (y << 16) / two;
        long long k = 30;
        while (k > 0) {
            k -= 1;
            x = ((x + (y << 16) / x) << 16) / two;
        }
        s += x;
    }
    return s;
}
