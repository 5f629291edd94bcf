/* int_loop: see INT_LOOP in bench/suites/hot.py. */
#include "harness.h"

result_t kernel(long long n)
{
    long long s = 0;
    for (long long i = 0; i < n; i++)
        s += (i * i) % 7;
    return s;
}
