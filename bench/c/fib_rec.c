/* fib_rec: see FIB_REC in bench/suites/hot.py. */
#include "harness.h"

static long long fib(long long n)
{
    if (n < 2)
        return n;
    return fib(n - 1) + fib(n - 2);
}

result_t kernel(long long n)
{
    return fib(n);
}
