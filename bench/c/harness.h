/* main() for one kernel of the hot suite (bench/suites/hot.py).
 *
 * A kernel file defines KERNEL_FLOAT (a double result) or not (a long long result),
 * includes this header and defines `result_t kernel(long long n)`, doing the same
 * operations in the same order as the Python source, so that the results match
 * CPython's bit for bit.
 *
 *     ./kernel N CALLS   calls kernel(N) CALLS times, timing each call on its own
 *                        (CLOCK_MONOTONIC), and prints one JSON object:
 *     {"result": R, "type": "int"|"float", "consistent": true, "times_ns": [...]}
 *
 * N comes from the command line and the kernel is `noipa`, so gcc can neither fold a
 * call into a constant nor, having proved the kernel pure, call it once for all.
 */
#define _POSIX_C_SOURCE 199309L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef KERNEL_FLOAT
typedef double result_t;
#define RESULT_TYPE "float"
#else
typedef long long result_t;
#define RESULT_TYPE "int"
#endif

__attribute__((noipa)) result_t kernel(long long n);

static long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s N CALLS\n", argv[0]);
        return 2;
    }
    long long n = strtoll(argv[1], NULL, 10);
    long calls = strtol(argv[2], NULL, 10);
    if (calls < 1) {
        fprintf(stderr, "CALLS must be at least 1\n");
        return 2;
    }
    long long *times = malloc(sizeof(long long) * (size_t)calls);
    if (times == NULL)
        return 3;
    result_t first = 0;
    int consistent = 1;
    for (long c = 0; c < calls; c++) {
        long long t0 = now_ns();
        result_t r = kernel(n);
        long long t1 = now_ns();
        times[c] = t1 - t0;
        if (c == 0)
            first = r;
        else if (memcmp(&r, &first, sizeof r) != 0)
            consistent = 0;
    }
#ifdef KERNEL_FLOAT
    printf("{\"result\": %.17g, ", first);
#else
    printf("{\"result\": %lld, ", first);
#endif
    printf("\"type\": \"%s\", \"consistent\": %s, \"clock\": \"CLOCK_MONOTONIC\", \"times_ns\": [",
           RESULT_TYPE, consistent ? "true" : "false");
    for (long c = 0; c < calls; c++)
        printf(c ? ", %lld" : "%lld", times[c]);
    printf("]}\n");
    free(times);
    return 0;
}
