/* The LCG of bench/suites/dls.py: seed = (seed * 1103515245 + 12345) % 2**31. */
static inline long long lcg_next(long long seed)
{
    return (seed * 1103515245LL + 12345LL) % 2147483648LL;
}
