/* nbody: see NBODY in bench/suites/dls.py (five bodies, one array per coordinate). */
#define KERNEL_FLOAT
#include "harness.h"

#define PI 3.14159265358979323
#define SOLAR_MASS (4 * PI * PI)
#define DAYS_PER_YEAR 365.24
#define NB 5

static void advance(double *x, double *y, double *z, double *vx, double *vy, double *vz,
                    const double *m, double dt, long long steps)
{
    for (long long step = 0; step < steps; step++) {
        for (int i = 0; i < NB; i++)
            for (int j = i + 1; j < NB; j++) {
                double dx = x[i] - x[j];
                double dy = y[i] - y[j];
                double dz = z[i] - z[j];
                double d2 = dx * dx + dy * dy + dz * dz;
                double mag = dt / (d2 * sqrt(d2));
                double mj = m[j] * mag;
                vx[i] -= dx * mj;
                vy[i] -= dy * mj;
                vz[i] -= dz * mj;
                double mi = m[i] * mag;
                vx[j] += dx * mi;
                vy[j] += dy * mi;
                vz[j] += dz * mi;
            }
        for (int i = 0; i < NB; i++) {
            x[i] += dt * vx[i];
            y[i] += dt * vy[i];
            z[i] += dt * vz[i];
        }
    }
}

static double energy(const double *x, const double *y, const double *z, const double *vx,
                     const double *vy, const double *vz, const double *m)
{
    double e = 0.0;
    for (int i = 0; i < NB; i++) {
        e += 0.5 * m[i] * (vx[i] * vx[i] + vy[i] * vy[i] + vz[i] * vz[i]);
        for (int j = i + 1; j < NB; j++) {
            double dx = x[i] - x[j];
            double dy = y[i] - y[j];
            double dz = z[i] - z[j];
            e -= (m[i] * m[j]) / sqrt(dx * dx + dy * dy + dz * dz);
        }
    }
    return e;
}

result_t kernel(long long n)
{
    double x[NB] = {0.0, 4.84143144246472090, 8.34336671824457987,
                    12.8943695621391310, 15.3796971148509165};
    double y[NB] = {0.0, -1.16032004402742839, 4.12479856412430479,
                    -15.1111514016986312, -25.9193146099879641};
    double z[NB] = {0.0, -0.103622044471123109, -0.403523417114321381,
                    -0.223307578892655734, 0.179258772950371181};
    double vx[NB] = {0.0, 1.66007664274403694e-03 * DAYS_PER_YEAR,
                     -2.76742510726862411e-03 * DAYS_PER_YEAR,
                     2.96460137564761618e-03 * DAYS_PER_YEAR,
                     2.68067772490389322e-03 * DAYS_PER_YEAR};
    double vy[NB] = {0.0, 7.69901118419740425e-03 * DAYS_PER_YEAR,
                     4.99852801234917238e-03 * DAYS_PER_YEAR,
                     2.37847173959480950e-03 * DAYS_PER_YEAR,
                     1.62824170038242295e-03 * DAYS_PER_YEAR};
    double vz[NB] = {0.0, -6.90460016972063023e-05 * DAYS_PER_YEAR,
                     2.30417297573763929e-05 * DAYS_PER_YEAR,
                     -2.96589568540237556e-05 * DAYS_PER_YEAR,
                     -9.51592254519715870e-05 * DAYS_PER_YEAR};
    double m[NB] = {SOLAR_MASS, 9.54791938424326609e-04 * SOLAR_MASS,
                    2.85885980666130812e-04 * SOLAR_MASS,
                    4.36624404335156298e-05 * SOLAR_MASS,
                    5.15138902046611451e-05 * SOLAR_MASS};
    double px = 0.0, py = 0.0, pz = 0.0;
    for (int i = 0; i < NB; i++) {
        px += vx[i] * m[i];
        py += vy[i] * m[i];
        pz += vz[i] * m[i];
    }
    vx[0] = -px / SOLAR_MASS;
    vy[0] = -py / SOLAR_MASS;
    vz[0] = -pz / SOLAR_MASS;
    advance(x, y, z, vx, vy, vz, m, 0.01, n);
    return energy(x, y, z, vx, vy, vz, m);
}
