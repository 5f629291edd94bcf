/* The image helpers of the 2-D kernels (IMAGE_SETUP and ARRAY2D in bench/suites/dls.py):
 * an n x n image of doubles stored row by row, and its checksum in the same order. */
static double *make_image(long long w, long long h)
{
    double *a = malloc(sizeof(double) * (size_t)(w * h));
    for (long long i = 0; i < w * h; i++)
        a[i] = (double)((i * 7) % 23) * 0.125;
    return a;
}

static double checksum(const double *b, long long size)
{
    double s = 0.0;
    for (long long i = 0; i < size; i++)
        s += b[i];
    return s;
}
