/* fib_calls: see FIB_CALLS in bench/suites/hot.py (operands stay positive: C's % is Python's). */
#include "harness.h"

static long long f(long long a, long long b)
{
    return (a * 3 + b * 7 + 1) % 1000003;
}

result_t kernel(long long n)
{
    long long a = 1;
    long long b = 2;
    for (long long i = 0; i < n; i++) {
        long long c = f(a, b);
        a = b;
        b = c;
    }
    return b;
}
